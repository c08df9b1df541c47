package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JobEventListener.Outcome;
import io.sqlqueue.internal.QueueServices;
import io.sqlqueue.internal.maintenance.LeaderElector;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.internal.notify.Notification;
import io.sqlqueue.internal.notify.PgNotificationListener;
import io.sqlqueue.internal.schedule.RecurringScheduler;
import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.worker.ExceptionClassifier;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobRun;
import io.sqlqueue.worker.WorkerHealth;

/**
 * A worker as it runs on this node: a {@link QueueRunner} per queue, the completer they share, the heartbeat
 * ticks, the PostgreSQL notification listener, the recurring schedules and, with maintenance on, the leader
 * election and the maintenance the leader runs. One job's path runs one way: producer, executor, completer,
 * store; what the completer settled comes back here, is published to the listeners, and ends the run.
 */
public final class WorkerNode {

	private static final Logger logger = LoggerFactory.getLogger(WorkerNode.class);

	private final WorkerConfig config;

	private final QueueServices services;

	private final JdbcJobStore store;

	/** A call that succeeds after failures ends the queues' backoff: they claim again at once. */
	private final HealthTracker health;

	/** Every failure it retries marks the worker unhealthy until a call succeeds again. */
	private final DatabaseRetry retry;

	private final Map<String, QueueRunner> runners = new LinkedHashMap<>();

	private final Completer completer;

	private final LeaderElector elector;

	private final Maintenance maintenance;

	private final RecurringScheduler recurring;

	private final NodePresence presence;

	private final Set<String> handledTypes;

	private final Consumer<String> wakeup = this::wake;

	private ScheduledExecutorService ticks;

	private PgNotificationListener listener;

	public WorkerNode(WorkerConfig config) {
		this.config = config;
		this.services = config.services();
		this.store = this.services.store();
		this.handledTypes = Collections.unmodifiableSet(new TreeSet<>(config.handlers().keySet()));
		this.health = new HealthTracker(this::wakeAll, config.clock());
		this.retry = new DatabaseRetry(Duration.ofSeconds(2), 4, this.health::failure);
		this.completer = new Completer(this.store, this.services.enqueuer(), this.retry, this.health, config.clock(),
				config.outcomeBacklog(), config.slowFlush(), this::recorded);
		config.queues().forEach((name, settings) -> this.runners.put(name, new QueueRunner(name, settings, this)));
		this.recurring = new RecurringScheduler(this.services, config.schedules());
		this.presence = new NodePresence(this, config.maintenance().nodeHeartbeat());
		if (config.maintains()) {
			this.elector = new LeaderElector(this.store, LeaderElector.MAINTENANCE, config.workerId(),
					config.maintenance().leaderTerm(), config.clock());
			this.maintenance = new Maintenance(this.store, config.maintenance(), this.elector, config.clock());
		}
		else {
			this.elector = null;
			this.maintenance = null;
		}
	}

	/** Starts claiming and running jobs on every queue. */
	public void start() {
		this.completer.start();
		this.ticks = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		for (QueueRunner runner : this.runners.values()) {
			long tick = Math.max(200, runner.settings().lease().toMillis() / 3);
			this.ticks.scheduleWithFixedDelay(() -> heartbeat(runner), tick, tick, TimeUnit.MILLISECONDS);
		}
		if (!this.recurring.isEmpty()) {
			this.ticks.scheduleWithFixedDelay(this::tickRecurring, 0, 1000, TimeUnit.MILLISECONDS);
		}
		long heartbeat = this.config.maintenance().nodeHeartbeat().toMillis();
		this.ticks.scheduleWithFixedDelay(this.presence::heartbeat, 0, heartbeat, TimeUnit.MILLISECONDS);
		this.services.wakeups().add(this.wakeup);
		if (this.config.listen() && this.store.vendor().notifies()) {
			String channel = Notification.channel(this.store.tablePrefix());
			this.listener = new PgNotificationListener(this.store.dataSource(), channel, this.store.vendor().listen(channel),
					this::notified, this::wakeAll, true);
			this.listener.start();
		}
		this.runners.values().forEach(QueueRunner::start);
		if (this.maintenance != null) {
			this.elector.start();
			this.maintenance.start();
		}
	}

	private void heartbeat(QueueRunner runner) {
		try {
			runner.leases().tick();
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue heartbeat for queue '{}' failed: {}", runner.name(), ex.getMessage());
		}
	}

	private void tickRecurring() {
		try {
			this.recurring.tick();
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue recurring schedules could not be checked: {}", ex.getMessage());
		}
	}

	/**
	 * Stops gracefully: stops claiming, lets running handlers finish within {@code timeout}, then interrupts
	 * the rest and gives their jobs back, writes the outcomes still waiting, and resigns as leader.
	 */
	public Stopped stop(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		this.services.wakeups().remove(this.wakeup);
		if (this.listener != null) {
			this.listener.stop();
		}
		if (this.maintenance != null) {
			this.maintenance.stop();
		}
		this.runners.values().forEach(QueueRunner::stopClaiming);
		logWaitingHandlers(timeout);
		boolean finished = true;
		try {
			for (QueueRunner runner : this.runners.values()) {
				finished &= runner.awaitHandlers(deadline);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			finished = false;
		}
		int released = 0;
		if (!finished) {
			for (QueueRunner runner : this.runners.values()) {
				released += runner.releaseRemaining();
			}
		}
		this.completer.stop(remainingAtLeast5s(deadline));
		this.ticks.shutdownNow();
		this.presence.leave();
		if (this.maintenance != null) {
			this.elector.stop();
			awaitMaintenance(deadline);
		}
		return new Stopped(finished, released);
	}

	/**
	 * Runs due jobs on the calling thread until none is due: for a node that is not started.
	 * @see Drainer#drain(int)
	 */
	public List<JobRun> drain(int maxRuns) {
		if (started()) {
			throw new IllegalStateException("drain() runs jobs on the calling thread of a worker that is not started");
		}
		return new Drainer(this.recurring, this.runners.values(), this.store, !this.handledTypes.isEmpty()).drain(maxRuns);
	}

	/** Whether {@link #start()} was called: its timers exist. */
	boolean started() {
		return this.ticks != null;
	}

	/**
	 * How a stop went.
	 *
	 * @param finished whether every running handler finished within the timeout
	 * @param released how many unfinished jobs were given back for other workers
	 */
	public record Stopped(boolean finished, int released) {
	}

	/** Says what a stop waits for, when handlers are still running. */
	private void logWaitingHandlers(Duration timeout) {
		Map<String, Integer> busy = this.runners.values()
			.stream()
			.filter((runner) -> runner.busy() > 0)
			.collect(Collectors.toMap(QueueRunner::name, QueueRunner::busy, Integer::sum, LinkedHashMap::new));
		if (!busy.isEmpty()) {
			logger.info("sqlqueue worker {} is stopping: waiting up to {} for {} running handlers ({}); those still"
					+ " running then are interrupted and their jobs given back", this.config.workerId(), timeout,
					busy.values().stream().mapToInt(Integer::intValue).sum(), busy);
		}
	}

	/**
	 * Lets a maintenance statement under way (a VACUUM, a batch of deletes) end within the stop's timeout, at
	 * least 5 s, so that the application does not close the pool under it.
	 */
	private void awaitMaintenance(long deadline) {
		try {
			if (!this.maintenance.awaitStopped(remainingAtLeast5s(deadline))) {
				logger.info("sqlqueue worker {}: a maintenance statement is still running", this.config.workerId());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** What is left until {@code deadline} (System.nanoTime), but at least 5 s: writes under way get to finish. */
	private static Duration remainingAtLeast5s(long deadline) {
		return Duration.ofNanos(Math.max(Duration.ofSeconds(5).toNanos(), deadline - System.nanoTime()));
	}

	/** What the completer settled: the run ends here, and listeners hear of it. */
	private void recorded(Finished finished, boolean applied) {
		RunningJob run = finished.run();
		run.applied = applied;
		QueueRunner runner = this.runners.get(run.queue());
		if (runner != null) {
			runner.settled(run);
		}
		if (finished.outcome() == null) {
			return;
		}
		if (!applied) {
			logger.warn("sqlqueue ignored the outcome of {}: its lease was lost and another run may own it", run);
			this.services.events().staleOutcomeIgnored(run.job.id(), run.job.attempt());
			return;
		}
		if (finished.outcome() == Outcome.DEAD) {
			logger.warn("sqlqueue job {} ({}) is dead: {}", run.job.id(), run.job.type(), firstLine(finished.change().error()));
		}
		this.services.events().jobFinished(run.job, finished.outcome(), finished.execution(), finished.error());
	}

	private static String firstLine(String text) {
		int newline = text.indexOf('\n');
		return (newline > 0) ? text.substring(0, newline).trim() : text;
	}

	/**
	 * Wakes the queue a PostgreSQL notification names, unless this worker's own queue object sent it: that
	 * enqueue woke this worker directly already, and a second wake would only claim again.
	 */
	private void notified(String payload) {
		Notification notification = Notification.parse(payload);
		if (notification.origin() == null || !notification.origin().equals(this.services.notificationOrigin())) {
			wake(notification.queue());
		}
	}

	/**
	 * Each queue claims once now, whether it was waiting for its next poll or out its failure backoff. Called
	 * when the notification listener has begun to LISTEN, at start or after a reconnect (a job committed before
	 * then was notified to nobody here), and when a call succeeds after database failures.
	 */
	private void wakeAll() {
		this.runners.values().forEach(QueueRunner::wake);
	}

	/** Claims on {@code queue} at once, if this worker works it. */
	public void wake(String queue) {
		QueueRunner runner = this.runners.get(queue);
		if (runner != null) {
			runner.wake();
		}
	}

	/** Handlers running now on {@code queue}. */
	public int busy(String queue) {
		QueueRunner runner = this.runners.get(queue);
		return (runner != null) ? runner.busy() : 0;
	}

	/**
	 * How the node is doing. Its outcomes are stalled once the oldest waiting to be written has waited half the
	 * shortest lease of its queues: long before those jobs' leases lapse and another node runs them again.
	 */
	public WorkerHealth health(boolean running) {
		Duration oldest = this.completer.oldestWaiting();
		Duration shortestLease = this.runners.values()
			.stream()
			.map((runner) -> runner.settings().lease())
			.min(Duration::compareTo)
			.orElse(Duration.ofMinutes(5));
		return this.health.snapshot(running, this.completer.backlog(), oldest,
				oldest.compareTo(shortestLease.dividedBy(2)) > 0);
	}

	/** Whether this node leads the maintenance now (false without maintenance). */
	public boolean leadsMaintenance() {
		return this.maintenance != null && this.maintenance.leads();
	}

	// ---- for the queues' parts ------------------------------------------------------------------

	/** Runs {@code task} once after {@code delay}, on the thread of the node's ticks. */
	ScheduledFuture<?> schedule(Runnable task, Duration delay) {
		return this.ticks.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
	}

	QueueServices services() {
		return this.services;
	}

	JdbcJobStore store() {
		return this.store;
	}

	InstantSource clock() {
		return this.config.clock();
	}

	String workerId() {
		return this.config.workerId();
	}

	HealthTracker health() {
		return this.health;
	}

	DatabaseRetry retry() {
		return this.retry;
	}

	Completer completer() {
		return this.completer;
	}

	ExceptionClassifier classifier() {
		return this.config.classifier();
	}

	HandlerSpec<?> handler(String type) {
		return this.config.handlers().get(type);
	}

	Map<String, QueueRunner> runners() {
		return this.runners;
	}

	/** The job types this node has handlers for. */
	Set<String> handledTypes() {
		return this.handledTypes;
	}

}
