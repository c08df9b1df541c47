package io.sqlqueue.internal.maintenance;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.HeldSnapshot;
import io.sqlqueue.JobState;
import io.sqlqueue.UnhandledJobs;
import io.sqlqueue.internal.Unhandled;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.worker.MaintenanceSettings;
import io.sqlqueue.worker.Retention;

/**
 * The periodic work a queue needs besides running jobs: the lease rescuer (RUNNING jobs whose worker died go
 * back to READY, or DEAD when out of attempts), the waiting-job resolver (children of finished parents), the
 * retention cleaner (finished jobs deleted in batches) and the vacuum of the job table on PostgreSQL. Every
 * node with maintenance on schedules it, but only the node its {@link LeaderElector} elected runs it, so that
 * fifty replicas are one rescuer and one cleaner, not fifty competing for the same rows. Every statement is
 * idempotent and guarded by state, so two nodes overlapping during a change of leader do no harm.
 */
public final class Maintenance {

	private static final Logger logger = LoggerFactory.getLogger(Maintenance.class);

	private static final int DELETE_BATCH = 1000;

	/** How long the rows of dead nodes are kept, for operators to see which nodes went away. */
	private static final Duration DEAD_NODES_KEPT = Duration.ofHours(1);

	private final JobStore store;

	private final LeaderElector elector;

	private final Duration rescueInterval;

	private final Duration cleanInterval;

	private final Duration nodeHeartbeat;

	private final Duration unhandledAfter;

	/** The queues and types this node warned about as unhandled, so that it warns once until they are handled. */
	private final Set<String> warnedUnhandled = ConcurrentHashMap.newKeySet();

	private final Retention retention;

	private final Vacuum vacuum;

	private final SnapshotWatch snapshotWatch;

	private ScheduledExecutorService scheduler;

	/** The scheduler {@link #stop()} shut down last, for {@link #awaitStopped(Duration)}. */
	private ScheduledExecutorService stopped;

	/**
	 * Maintenance of {@code store}'s tables, run while {@code elector} says this node leads, idle until
	 * {@link #start()}.
	 */
	public Maintenance(JobStore store, MaintenanceSettings config, LeaderElector elector, InstantSource clock) {
		this.store = store;
		this.elector = elector;
		this.rescueInterval = config.rescueInterval();
		this.cleanInterval = config.cleanInterval();
		this.nodeHeartbeat = config.nodeHeartbeat();
		this.unhandledAfter = config.unhandledAfter();
		this.retention = config.retention();
		this.vacuum = new Vacuum(store, config.vacuumInterval(), config.vacuumDeadRows(), clock);
		this.snapshotWatch = new SnapshotWatch(store, config.snapshotWarningAge());
	}

	/**
	 * Runs {@link #rescue()}, {@link #clean()}, {@link #rescueJobsOfDeadNodes()}, {@link #warnOfUnhandledJobs()},
	 * the {@link Vacuum} and {@link #warnOfHeldSnapshot()} on daemon threads, each first after one interval and
	 * then with that delay between its runs, independently of the others, each only while this node leads; a
	 * failed run is logged and tried again. Does nothing when started already.
	 */
	public synchronized void start() {
		if (this.scheduler != null) {
			return;
		}
		// a thread per task: a cleaner catching up on a long backlog must not hold back the lease
		// rescue, nor the vacuum that keeps the cleaner's own deletes fast
		this.scheduler = Executors.newScheduledThreadPool(4, (runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-maintenance");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.scheduleWithFixedDelay(this::rescueIfLeader, this.rescueInterval.toMillis(),
				this.rescueInterval.toMillis(), TimeUnit.MILLISECONDS);
		this.scheduler.scheduleWithFixedDelay(this::cleanIfLeader, this.cleanInterval.toMillis(),
				this.cleanInterval.toMillis(), TimeUnit.MILLISECONDS);
		this.scheduler.scheduleWithFixedDelay(this::rescueJobsOfDeadNodesIfLeader, this.nodeHeartbeat.toMillis(),
				this.nodeHeartbeat.toMillis(), TimeUnit.MILLISECONDS);
		long unhandledCheck = Math.min(Duration.ofMinutes(1).toMillis(), this.unhandledAfter.toMillis());
		this.scheduler.scheduleWithFixedDelay(this::warnOfUnhandledJobsIfLeader, unhandledCheck, unhandledCheck,
				TimeUnit.MILLISECONDS);
		this.vacuum.schedule(this.scheduler, this::leads);
		this.snapshotWatch.schedule(this.scheduler, this::leads);
	}

	/**
	 * Stops the scheduled runs, interrupting one in progress, and returns at once; does nothing when not
	 * started. It may be started again. A statement under way (a VACUUM, a batch of deletes) is not
	 * interrupted by it: {@link #awaitStopped(Duration)} waits for it to end, before its pool is closed.
	 */
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.stopped = this.scheduler;
			this.scheduler = null;
		}
	}

	/**
	 * Waits up to {@code timeout} for the runs that {@link #stop()} interrupted to end.
	 * @return whether none is under way any more (true when never started or stopped)
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitStopped(Duration timeout) throws InterruptedException {
		ScheduledExecutorService last;
		synchronized (this) {
			last = this.stopped;
		}
		return last == null || last.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
	}

	/** Whether this node runs the maintenance now: it leads, or nobody elects (a single node). */
	public boolean leads() {
		return this.elector == null || this.elector.isLeader();
	}

	/** The rescuer's scheduled run: rescues only while this node leads. @return how many jobs changed */
	int rescueIfLeader() {
		return leads() ? rescue() : 0;
	}

	private void rescueJobsOfDeadNodesIfLeader() {
		if (leads()) {
			rescueJobsOfDeadNodes();
		}
	}

	/**
	 * Gives back the RUNNING jobs of nodes that stopped heartbeating, whether or not this node leads, without
	 * waiting out their leases. @return how many jobs were rescued
	 */
	public int rescueJobsOfDeadNodes() {
		try {
			int rescued = this.store.jobRescueOfLapsedNodes();
			if (rescued > 0) {
				logger.info("sqlqueue rescued {} jobs of worker nodes that stopped heartbeating", rescued);
			}
			return rescued;
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue could not rescue the jobs of dead nodes; it will try again: {}", ex.getMessage());
			return 0;
		}
	}

	private void warnOfUnhandledJobsIfLeader() {
		if (leads()) {
			warnOfUnhandledJobs();
		}
	}

	/**
	 * Warns, once per queue and type until they are run, of due jobs that waited longer than the configured time
	 * for a node with their handler: no running node of their queue has one.
	 * @return the unhandled jobs found
	 */
	public List<UnhandledJobs> warnOfUnhandledJobs() {
		List<UnhandledJobs> unhandled;
		try {
			unhandled = Unhandled.find(this.store, this.unhandledAfter);
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue could not look for jobs no node can run; it will try again: {}", ex.getMessage());
			return List.of();
		}
		Set<String> now = ConcurrentHashMap.newKeySet();
		for (UnhandledJobs jobs : unhandled) {
			String key = jobs.queue() + " " + jobs.type();
			now.add(key);
			if (this.warnedUnhandled.add(key)) {
				logger.warn("sqlqueue has {} due jobs of type '{}' on queue '{}', the oldest waiting {}, that no running"
						+ " node can run: none has a handler for the type on that queue. They stay READY until one does;"
						+ " deploy the handler, or kill or cancel them.", jobs.jobs(), jobs.type(), jobs.queue(),
						jobs.oldestWaiting());
			}
		}
		this.warnedUnhandled.retainAll(now);
		return unhandled;
	}

	/**
	 * On PostgreSQL, reads the oldest snapshot another session of the database holds and warns, once per holding
	 * transaction, naming the session, when it is older than the configured age, whether or not this node leads.
	 * @return the oldest snapshot whatever its age; empty when none is held, elsewhere, or when it cannot be read
	 */
	public Optional<HeldSnapshot> warnOfHeldSnapshot() {
		return this.snapshotWatch.check();
	}

	private void cleanIfLeader() {
		if (leads()) {
			clean();
		}
	}

	/**
	 * Rescues expired leases, resolves waiting jobs, and finishes the batches and workflows whose last member ended
	 * where no outcome was written (a lease that expired on the last attempt), whether or not this node leads.
	 * @return how many jobs and groups changed
	 */
	public int rescue() {
		try {
			int rescued = this.store.jobRescueExpired();
			if (rescued > 0) {
				logger.info("sqlqueue rescued {} jobs whose lease expired", rescued);
			}
			return rescued + this.store.jobResolveWaiting() + this.store.groups().groupSweep();
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue lease rescue failed; it will try again: {}", ex.getMessage());
			return 0;
		}
	}

	/**
	 * Vacuums the job table on PostgreSQL, whether or not this node leads.
	 * @return whether the table was vacuumed
	 * @see Vacuum#vacuum()
	 */
	public boolean vacuum() {
		return this.vacuum.vacuum();
	}

	/**
	 * Vacuums, when this node leads, if the job table holds the configured number of dead rows, or the vacuum
	 * interval has passed since the last vacuum (by the clock).
	 * @return whether it vacuumed
	 */
	public boolean vacuumWhenDue() {
		return leads() && this.vacuum.whenDue();
	}

	/**
	 * Deletes finished jobs past their retention, in batches (the members of a batch or workflow together, once it
	 * has finished), the rows of nodes dead for an hour, the starts that left their rate limit's window, and the
	 * batches and workflows none of whose jobs remain.
	 * @return how many jobs were deleted
	 */
	public int clean() {
		try {
			this.store.nodeDeleteLapsed(DEAD_NODES_KEPT);
			this.store.queuePruneRateStarts();
			int deleted = cleanState(JobState.SUCCEEDED, this.retention.succeeded())
					+ cleanState(JobState.DEAD, this.retention.dead())
					+ cleanState(JobState.CANCELLED, this.retention.cancelled());
			this.store.groups().groupDeleteEmptied();
			return deleted;
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue retention cleanup failed; it will try again: {}", ex.getMessage());
			return 0;
		}
	}

	private int cleanState(JobState state, Duration keep) {
		int total = 0;
		int deleted;
		do {
			deleted = this.store.jobDeleteExpired(state, keep, DELETE_BATCH);
			total += deleted;
		}
		while (deleted == DELETE_BATCH && !Thread.currentThread().isInterrupted());
		return total;
	}

}
