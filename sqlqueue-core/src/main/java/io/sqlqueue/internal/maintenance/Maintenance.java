package io.sqlqueue.internal.maintenance;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JobState;
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

	/** Job tables this JVM has warned about already: once is enough, however many workers start. */
	private static final Set<String> WARNED_ABOUT_VACUUM = ConcurrentHashMap.newKeySet();

	/** How often the job table's dead rows are counted, when a vacuum waits for a number of them. */
	private static final Duration DEAD_ROWS_CHECK = Duration.ofSeconds(1);

	private final JobStore store;

	private final LeaderElector elector;

	private final InstantSource clock;

	private final Duration rescueInterval;

	private final Duration cleanInterval;

	private final Retention retention;

	private final Duration vacuumInterval;

	private final long vacuumDeadRows;

	/** When the last vacuum ended (the clock's epoch milliseconds), for a vacuum that waits for dead rows or its interval. */
	private long vacuumedAt;

	/** Whether the last count of dead rows failed: one warning for a run of failures, not one a second. */
	private boolean deadRowsFailing;

	/** Whether this node's user may vacuum the job table; null until known. */
	private volatile Boolean vacuumPermitted;

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
		this.clock = clock;
		this.rescueInterval = config.rescueInterval();
		this.cleanInterval = config.cleanInterval();
		this.retention = config.retention();
		this.vacuumInterval = config.vacuumInterval();
		this.vacuumDeadRows = config.vacuumDeadRows();
		this.vacuumedAt = clock.millis();
	}

	/**
	 * Runs {@link #rescue()}, {@link #clean()} and, with a vacuum interval or a number of dead rows,
	 * {@link #vacuum()} on daemon threads, each first after one interval and then with that delay between its
	 * runs, independently of the others, each only while this node leads; a failed run is logged and tried again.
	 * A vacuum waiting for dead rows
	 * counts them every second (or every vacuum interval, if shorter) and runs once there are as many, or once
	 * its interval has passed since the last. Warns (once per JVM and table) when the job table would bloat:
	 * neither set on a PostgreSQL server with autovacuum off. Does nothing when started already.
	 */
	public synchronized void start() {
		if (this.scheduler != null) {
			return;
		}
		// a thread per task: a cleaner catching up on a long backlog must not hold back the lease
		// rescue, nor the vacuum that keeps the cleaner's own deletes fast
		this.scheduler = Executors.newScheduledThreadPool(3, (runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-maintenance");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.scheduleWithFixedDelay(this::rescueIfLeader, this.rescueInterval.toMillis(),
				this.rescueInterval.toMillis(), TimeUnit.MILLISECONDS);
		this.scheduler.scheduleWithFixedDelay(this::cleanIfLeader, this.cleanInterval.toMillis(),
				this.cleanInterval.toMillis(), TimeUnit.MILLISECONDS);
		if (this.vacuumInterval == null && this.vacuumDeadRows == 0) {
			this.scheduler.execute(this::warnIfNobodyVacuums);
		}
		else if (!this.store.vendor().needsVacuum()) {
			// a worker vacuums by dead rows by default, so only a vacuum interval tells that one was asked for
			if (this.vacuumInterval != null) {
				logger.info("sqlqueue's vacuum settings are ignored: {} needs no VACUUM", this.store.vendor());
			}
		}
		else if (this.vacuumDeadRows == 0) {
			this.scheduler.scheduleWithFixedDelay(this::vacuumIfLeader, this.vacuumInterval.toMillis(),
					this.vacuumInterval.toMillis(), TimeUnit.MILLISECONDS);
		}
		else {
			long check = (this.vacuumInterval != null) ? Math.min(DEAD_ROWS_CHECK.toMillis(), this.vacuumInterval.toMillis())
					: DEAD_ROWS_CHECK.toMillis();
			this.scheduler.scheduleWithFixedDelay(this::vacuumWhenDue, check, check, TimeUnit.MILLISECONDS);
		}
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

	private void cleanIfLeader() {
		if (leads()) {
			clean();
		}
	}

	private void vacuumIfLeader() {
		if (leads()) {
			vacuum();
		}
	}

	/** Rescues expired leases and resolves waiting jobs, whether or not this node leads. @return how many jobs changed */
	public int rescue() {
		try {
			int rescued = this.store.jobRescueExpired();
			if (rescued > 0) {
				logger.info("sqlqueue rescued {} jobs whose lease expired", rescued);
			}
			return rescued + this.store.jobResolveWaiting();
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue lease rescue failed; it will try again: {}", ex.getMessage());
			return 0;
		}
	}

	/**
	 * Vacuums the job table on PostgreSQL: the dead row versions every claim, completion and
	 * deletion leaves behind are reclaimed, and the claim index stays small. For servers where
	 * autovacuum is off, or comes too seldom for a busy queue (it visits a table at most once per
	 * {@code autovacuum_naptime}, a minute by default).
	 * @return whether the table was vacuumed (false where the database needs no VACUUM, where this
	 * node's user may not vacuum the table, or on failure)
	 */
	public boolean vacuum() {
		if (!this.store.vendor().needsVacuum() || !mayVacuum()) {
			return false;
		}
		try {
			this.store.tableVacuum();
			return true;
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue could not vacuum {}; it will try again: {}", this.store.jobTable(), ex.getMessage());
			return false;
		}
	}

	/**
	 * Vacuums, when this node leads, if the job table holds the configured number of dead rows, or the vacuum
	 * interval has passed since the last vacuum (by the clock).
	 * @return whether it vacuumed
	 */
	public boolean vacuumWhenDue() {
		if (!leads() || !mayVacuum()) {
			return false;
		}
		boolean due = this.vacuumInterval != null
				&& this.clock.millis() - this.vacuumedAt >= this.vacuumInterval.toMillis();
		if (!due) {
			try {
				due = this.store.tableDeadRows() >= this.vacuumDeadRows;
				this.deadRowsFailing = false;
			}
			catch (RuntimeException ex) {
				if (!this.deadRowsFailing) {
					logger.warn("sqlqueue could not count the dead rows of {}; it will try again every second: {}",
							this.store.jobTable(), ex.getMessage());
				}
				this.deadRowsFailing = true;
				return false;
			}
		}
		if (due) {
			boolean vacuumed = vacuum();
			this.vacuumedAt = this.clock.millis();
			return vacuumed;
		}
		return false;
	}

	/**
	 * Whether this node's user may vacuum the job table, asked of the server once. PostgreSQL skips
	 * a table its user may not vacuum with a warning, not an error, so without this a node would
	 * vacuum in vain on every check, unseen.
	 */
	private boolean mayVacuum() {
		Boolean permitted = this.vacuumPermitted;
		if (permitted != null) {
			return permitted;
		}
		String refusal;
		try {
			refusal = this.store.tableVacuumRefusal();
		}
		catch (RuntimeException ex) {
			// try the vacuum all the same; ask again next time
			logger.debug("sqlqueue could not check whether it may vacuum {}: {}", this.store.jobTable(), ex.getMessage());
			return true;
		}
		if (refusal != null) {
			String autovacuumOff = autovacuumOff();
			if (autovacuumOff != null) {
				logger.warn("sqlqueue will not vacuum {}: {}, and {}: dead rows will pile up and slow its queues down."
						+ " Its owner can schedule VACUUM instead, or this user be given the table.", this.store.jobTable(),
						refusal, autovacuumOff);
			}
			else {
				logger.info("sqlqueue will not vacuum {}: {}. It is left to autovacuum, which visits it at most once per"
						+ " autovacuum_naptime; for a busy queue its owner can schedule VACUUM, or this user be given the"
						+ " table.", this.store.jobTable(), refusal);
			}
		}
		this.vacuumPermitted = refusal == null;
		return refusal == null;
	}

	/** The server's reason for dead rows to pile up unless someone vacuums, or null (asking costs a query). */
	private String autovacuumOff() {
		try {
			return this.store.tableAutovacuumOff();
		}
		catch (RuntimeException ex) {
			logger.debug("sqlqueue could not check how {} is vacuumed: {}", this.store.jobTable(), ex.getMessage());
			return null;
		}
	}

	private void warnIfNobodyVacuums() {
		String warning = autovacuumOff();
		if (warning != null && WARNED_ABOUT_VACUUM.add(this.store.jobTable())) {
			logger.warn("{} and this node's vacuum is turned off: dead rows will pile up in {} and slow its queues down."
					+ " Set a number of dead rows to vacuum at or a vacuum interval (sqlqueue.worker.vacuum-dead-rows or"
					+ " sqlqueue.worker.vacuum-interval in Spring Boot, JobWorker.Builder.vacuumDeadRows or"
					+ " vacuumInterval in code) or schedule VACUUM.", warning, this.store.jobTable());
		}
	}

	/** Deletes finished jobs past their retention, in batches. @return how many were deleted */
	public int clean() {
		try {
			return cleanState(JobState.SUCCEEDED, this.retention.succeeded())
					+ cleanState(JobState.DEAD, this.retention.dead())
					+ cleanState(JobState.CANCELLED, this.retention.cancelled());
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
