package io.sqlqueue.worker;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobHandlerFunction;
import io.sqlqueue.JobQueue;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.dialect.Dialect;
import io.sqlqueue.dialect.PostgresDialect;
import io.sqlqueue.maintenance.Maintenance;

/**
 * Runs handlers for the jobs of a {@link JdbcJobQueue}: one {@code QueueWorker} per queue with
 * its own handler threads, a shared completer that records successes in batches, heartbeats,
 * PostgreSQL LISTEN wake-ups, and the maintenance (lease rescue, retention).
 *
 * <pre>{@code
 * JobWorker worker = JobWorker.builder(jobQueue)
 *         .queue("mail", QueueSettings.defaults().withConcurrency(4))
 *         .handler(HandlerSpec.of("send-email", SendEmail.class, (email, ctx) -> mailer.send(email)).onQueue("mail"))
 *         .build();
 * worker.start();
 * ...
 * worker.stop(Duration.ofSeconds(30));
 * }</pre>
 */
public final class JobWorker implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(JobWorker.class);

	/** The lease rescuer's interval unless configured. */
	public static final Duration DEFAULT_RESCUE_INTERVAL = Duration.ofSeconds(30);

	/** The retention cleaner's interval unless configured. */
	public static final Duration DEFAULT_CLEAN_INTERVAL = Duration.ofMinutes(1);

	/**
	 * The number of dead row versions at which a worker vacuums the job table on PostgreSQL unless configured:
	 * about 170,000 jobs' worth. Where autovacuum keeps up, the table never gets there; where autovacuum is off,
	 * or visits too seldom for a busy queue (once a minute by default), the worker vacuums before the dead rows
	 * slow its claims down.
	 */
	public static final long DEFAULT_VACUUM_DEAD_ROWS = 500_000;

	private final JdbcJobQueue queue;

	private final Map<String, HandlerSpec<?>> handlers;

	private final Map<String, QueueSettings> queueSettings;

	private final String workerId;

	private final boolean listen;

	/** A call that succeeds after failures ends the queues' backoff: they claim again at once. */
	private final HealthTracker health = new HealthTracker(this::wakeAll);

	/** Every failure it retries marks the worker unhealthy until a call succeeds again. */
	private final DatabaseRetry retry = new DatabaseRetry(Duration.ofSeconds(2), 4, this.health::failure);

	private final Maintenance maintenance;

	private final Map<String, QueueWorker> workers = new LinkedHashMap<>();

	private final RecurringScheduler recurring;

	private final List<RecurringSchedule> schedules;

	private final Consumer<String> wakeup = this::wake;

	private Completer completer;

	private ScheduledExecutorService heartbeats;

	private PgNotificationListener listener;

	private volatile boolean running;

	private JobWorker(Builder builder) {
		this.queue = builder.queue;
		this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.handlers));
		Map<String, QueueSettings> settings = new LinkedHashMap<>();
		for (HandlerSpec<?> spec : this.handlers.values()) {
			settings.put(spec.effectiveQueue(), builder.queues.getOrDefault(spec.effectiveQueue(), builder.defaults));
		}
		settings.putAll(builder.queues);
		this.queueSettings = Collections.unmodifiableMap(settings);
		this.workerId = (builder.workerId != null) ? builder.workerId : defaultWorkerId();
		this.listen = builder.listen;
		this.schedules = List.copyOf(builder.schedules.values());
		this.recurring = new RecurringScheduler(this.queue, new ArrayList<>(builder.schedules.values()));
		this.maintenance = builder.maintenance
				? new Maintenance(this.queue.dialect(), builder.rescueInterval, builder.cleanInterval, builder.retention,
						builder.vacuumInterval, builder.vacuumDeadRows)
				: null;
		if (!this.queue.dialect().supportsMultipleNodes()) {
			logger.info("sqlqueue on {} runs on a single node: do not share its database file between processes",
					this.queue.dialect().vendor());
		}
	}

	/** A builder for a worker of {@code queue}. */
	public static Builder builder(JdbcJobQueue queue) {
		return new Builder(queue);
	}

	private static String defaultWorkerId() {
		String name = ManagementFactory.getRuntimeMXBean().getName();
		return name + "/" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** Starts claiming and running jobs on every queue. */
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.completer = new Completer(this.queue, this.retry, this.health, "sqlqueue-completer");
		this.completer.start();
		this.heartbeats = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		this.workers.clear();
		for (Map.Entry<String, QueueSettings> entry : this.queueSettings.entrySet()) {
			QueueWorker worker = new QueueWorker(entry.getKey(), entry.getValue(), this);
			this.workers.put(entry.getKey(), worker);
			long tick = Math.max(200, entry.getValue().lease().toMillis() / 3);
			this.heartbeats.scheduleWithFixedDelay(() -> heartbeat(worker), tick, tick, TimeUnit.MILLISECONDS);
		}
		if (!this.recurring.isEmpty()) {
			this.heartbeats.scheduleWithFixedDelay(this::tickRecurring, 0, 1000, TimeUnit.MILLISECONDS);
		}
		this.running = true;
		this.queue.addWakeupListener(this.wakeup);
		if (this.listen && this.queue.dialect() instanceof PostgresDialect postgres) {
			this.listener = new PgNotificationListener(this.queue.dataSource(), postgres.notificationChannel(),
					this::notified, this::wakeAll, true);
			this.listener.start();
		}
		this.workers.values().forEach(QueueWorker::start);
		if (this.maintenance != null) {
			this.maintenance.start();
		}
		logger.info("sqlqueue worker {} started on queues {} with handlers for {}", this.workerId,
				this.workers.keySet(), handledTypes());
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
	 * Checks recurring schedule {@code name} now instead of at the next second.
	 * @return the id of the job this call enqueued for a due tick, if any
	 */
	public java.util.Optional<Long> tickRecurring(String name) {
		return this.schedules.stream()
			.filter((schedule) -> schedule.name().equals(name))
			.findFirst()
			.flatMap(this.recurring::tick);
	}

	/** The recurring schedules this worker runs. */
	public List<RecurringSchedule> schedules() {
		return this.schedules;
	}

	private void heartbeat(QueueWorker worker) {
		try {
			worker.heartbeat();
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue heartbeat for queue '{}' failed: {}", worker.name(), ex.getMessage());
		}
	}

	/**
	 * Stops gracefully: stops claiming, lets running handlers finish within {@code timeout}, then
	 * interrupts the rest and makes their jobs READY so that other nodes pick them up at once.
	 * @return whether every running handler finished in time
	 */
	public boolean stop(Duration timeout) {
		synchronized (this) {
			if (!this.running) {
				return true;
			}
			this.running = false;
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		this.queue.removeWakeupListener(this.wakeup);
		if (this.listener != null) {
			this.listener.stop();
		}
		if (this.maintenance != null) {
			this.maintenance.stop();
		}
		this.workers.values().forEach(QueueWorker::stopClaiming);
		boolean finished = true;
		try {
			for (QueueWorker worker : this.workers.values()) {
				finished &= worker.awaitHandlers(deadline);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			finished = false;
		}
		int released = 0;
		if (!finished) {
			for (QueueWorker worker : this.workers.values()) {
				released += worker.releaseRemaining();
			}
		}
		this.completer.stop(remainingAtLeast5s(deadline));
		this.heartbeats.shutdownNow();
		awaitMaintenance(deadline);
		logger.info("sqlqueue worker {} stopped{}", this.workerId,
				finished ? "" : "; " + released + " unfinished jobs were released for other workers");
		return finished;
	}

	/**
	 * Lets a maintenance statement under way (a VACUUM, a batch of deletes) end within the stop's
	 * timeout, at least 5 s, so that the application does not close the pool under it.
	 */
	private void awaitMaintenance(long deadline) {
		if (this.maintenance == null) {
			return;
		}
		try {
			if (!this.maintenance.awaitStopped(remainingAtLeast5s(deadline))) {
				logger.info("sqlqueue worker {}: a maintenance statement is still running", this.workerId);
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

	/** Stops with a 30 second timeout. */
	@Override
	public void close() {
		stop(Duration.ofSeconds(30));
	}

	/**
	 * Whether this worker has been started and not stopped; {@code false} as soon as {@link #stop(Duration)}
	 * begins.
	 */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Wakes the queue a PostgreSQL notification names, unless this worker's own queue object sent it:
	 * that enqueue woke this worker directly already, and a second wake would only claim again.
	 */
	private void notified(String payload) {
		if (!this.queue.notificationOrigin().equals(PostgresDialect.notifiedOrigin(payload))) {
			wake(PostgresDialect.notifiedQueue(payload));
		}
	}

	/**
	 * Each queue claims once now, whether it was waiting for its next poll or out its failure backoff.
	 * Called when the notification listener has begun to LISTEN, at start or after a reconnect (a job
	 * committed before then was notified to nobody here, and would otherwise wait for the next poll),
	 * and when a call succeeds after database failures.
	 */
	private void wakeAll() {
		this.workers.values().forEach(QueueWorker::wake);
	}

	/** Claims on {@code queueName} at once, if this worker works it. */
	public void wake(String queueName) {
		QueueWorker worker = this.workers.get(queueName);
		if (worker != null) {
			worker.wake();
		}
	}

	/** The queues this worker works, with their settings. */
	public Map<String, QueueSettings> queues() {
		return this.queueSettings;
	}

	/** The names of the queues this worker works. */
	public Set<String> queueNames() {
		return this.queueSettings.keySet();
	}

	/** Handlers running now on {@code queueName}. */
	public int busy(String queueName) {
		QueueWorker worker = this.workers.get(queueName);
		return (worker != null && this.running) ? worker.busy() : 0;
	}

	/** How this worker is doing. */
	public WorkerHealth health() {
		return this.health.snapshot(this.running);
	}

	/** This worker's id, stored in {@code locked_by} of the jobs it runs. */
	public String workerId() {
		return this.workerId;
	}

	/** The maintenance it runs, or {@code null} when disabled. */
	public Maintenance maintenance() {
		return this.maintenance;
	}

	// ---- for QueueWorker ---------------------------------------------------------------

	JdbcJobQueue queue() {
		return this.queue;
	}

	Dialect dialect() {
		return this.queue.dialect();
	}

	HandlerSpec<?> handler(String type) {
		return this.handlers.get(type);
	}

	Set<String> handledTypes() {
		return new TreeSet<>(this.handlers.keySet());
	}

	DatabaseRetry retry() {
		return this.retry;
	}

	HealthTracker tracker() {
		return this.health;
	}

	Completer completer() {
		return this.completer;
	}

	/** Configures a {@link JobWorker}. */
	public static final class Builder {

		private final JdbcJobQueue queue;

		private QueueSettings defaults = QueueSettings.defaults();

		private final Map<String, QueueSettings> queues = new LinkedHashMap<>();

		private final Map<String, HandlerSpec<?>> handlers = new LinkedHashMap<>();

		private String workerId;

		private Duration rescueInterval = DEFAULT_RESCUE_INTERVAL;

		private Duration cleanInterval = DEFAULT_CLEAN_INTERVAL;

		private Retention retention = Retention.DEFAULT;

		private Duration vacuumInterval;

		private long vacuumDeadRows = DEFAULT_VACUUM_DEAD_ROWS;

		private boolean maintenance = true;

		private boolean listen = true;

		private final Map<String, RecurringSchedule> schedules = new LinkedHashMap<>();

		Builder(JdbcJobQueue queue) {
			this.queue = Objects.requireNonNull(queue, "queue must not be null");
		}

		/** Settings of every queue not configured on its own. */
		public Builder defaults(QueueSettings defaults) {
			this.defaults = Objects.requireNonNull(defaults, "defaults must not be null");
			this.queue.types().setDefaultMaxAttempts(defaults.maxAttempts());
			return this;
		}

		/** Works {@code name} with {@code settings}, whether or not a handler names it. */
		public Builder queue(String name, QueueSettings settings) {
			JobQueue.validateQueueName(name);
			this.queues.put(name, Objects.requireNonNull(settings, "settings must not be null"));
			this.queue.types().setQueueMaxAttempts(name, settings.maxAttempts());
			return this;
		}

		/** Registers a handler on the default queue. */
		public <T> Builder handler(String type, Class<T> payloadClass, JobHandlerFunction<T> handler) {
			return handler(HandlerSpec.of(type, payloadClass, handler));
		}

		/**
		 * Registers a handler.
		 * @throws IllegalStateException when its type has a handler already
		 */
		public Builder handler(HandlerSpec<?> spec) {
			Objects.requireNonNull(spec, "spec must not be null");
			if (this.handlers.containsKey(spec.type())) {
				throw new IllegalStateException("Job type '" + spec.type() + "' has two handlers");
			}
			this.handlers.put(spec.type(), spec);
			Class<?> payloadClass = (spec.payloadType() instanceof Class<?> c) ? c : null;
			this.queue.types().register(spec.type(), payloadClass, spec.queue(), spec.maxAttempts());
			return this;
		}

		/**
		 * Runs a recurring schedule: this node takes part in enqueueing its ticks.
		 * @throws IllegalStateException when a schedule of that name is registered already
		 */
		public Builder schedule(RecurringSchedule schedule) {
			Objects.requireNonNull(schedule, "schedule must not be null");
			if (this.schedules.putIfAbsent(schedule.name(), schedule) != null) {
				throw new IllegalStateException("Recurring schedule '" + schedule.name() + "' is registered twice");
			}
			return this;
		}

		/** The id stored in {@code locked_by}; defaults to pid@host plus a random suffix. */
		public Builder workerId(String workerId) {
			this.workerId = workerId;
			return this;
		}

		/** How often expired leases are rescued (default 30 s). */
		public Builder rescueInterval(Duration rescueInterval) {
			this.rescueInterval = positive(rescueInterval, "rescueInterval");
			return this;
		}

		/** How often finished jobs past retention are deleted (default 1 min). */
		public Builder cleanInterval(Duration cleanInterval) {
			this.cleanInterval = positive(cleanInterval, "cleanInterval");
			return this;
		}

		/**
		 * How often this node vacuums the job table on PostgreSQL; {@code null} (the default) for no vacuum on a
		 * schedule, only the one {@link #vacuumDeadRows(long) by dead rows}. Elsewhere it is ignored.
		 * @see Maintenance#vacuum()
		 */
		public Builder vacuumInterval(Duration vacuumInterval) {
			this.vacuumInterval = (vacuumInterval != null) ? positive(vacuumInterval, "vacuumInterval") : null;
			return this;
		}

		/**
		 * On PostgreSQL, this node vacuums the job table as soon as the server counts {@code deadRows} dead row
		 * versions in it (checked every second); {@value JobWorker#DEFAULT_VACUUM_DEAD_ROWS} unless set, 0 for
		 * no such vacuum. Unlike an interval it keeps pace with the queue: a busy queue (about three dead versions
		 * a job) is vacuumed often, a quiet one seldom, and one that autovacuum keeps clean never. With a
		 * {@link #vacuumInterval(Duration) vacuum interval} as well, whichever comes first. Needs the table's
		 * owner: a node whose user is not logs that once and leaves the table to autovacuum. Elsewhere it is
		 * ignored.
		 * @see Maintenance#vacuum()
		 */
		public Builder vacuumDeadRows(long deadRows) {
			if (deadRows < 0) {
				throw new IllegalArgumentException("vacuumDeadRows must be 0 (none) or positive, was " + deadRows);
			}
			this.vacuumDeadRows = deadRows;
			return this;
		}

		/** How long finished jobs are kept. */
		public Builder retention(Retention retention) {
			this.retention = Objects.requireNonNull(retention, "retention must not be null");
			return this;
		}

		/** Whether this node runs the lease rescuer, the retention cleaner and (PostgreSQL) the vacuum (default true). */
		public Builder maintenance(boolean maintenance) {
			this.maintenance = maintenance;
			return this;
		}

		/** Whether to LISTEN for PostgreSQL notifications of new jobs (default true). */
		public Builder listen(boolean listen) {
			this.listen = listen;
			return this;
		}

		/**
		 * A worker with this configuration, not yet started: call {@link JobWorker#start()}. Queues that handlers
		 * name but {@link #queue(String, QueueSettings)} does not get the {@link #defaults(QueueSettings)} settings.
		 */
		public JobWorker build() {
			return new JobWorker(this);
		}

		private static Duration positive(Duration value, String name) {
			Objects.requireNonNull(value, () -> name + " must not be null");
			if (value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, was " + value);
			}
			return value;
		}

	}

	List<QueueWorker> workers() {
		return new ArrayList<>(this.workers.values());
	}

}
