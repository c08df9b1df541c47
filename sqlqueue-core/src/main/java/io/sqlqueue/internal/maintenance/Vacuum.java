package io.sqlqueue.internal.maintenance;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.internal.store.JobStore;

/**
 * The vacuum of the job table on PostgreSQL, by a number of dead rows or on an interval, part of the
 * {@link Maintenance} its leader runs; it logs under {@code Maintenance}'s name, with the other chores.
 */
final class Vacuum {

	private static final Logger logger = LoggerFactory.getLogger(Maintenance.class);

	/** Job tables this JVM has warned about already: once is enough, however many workers start. */
	private static final Set<String> WARNED_ABOUT_VACUUM = ConcurrentHashMap.newKeySet();

	/** How often the job table's dead rows are counted, when a vacuum waits for a number of them. */
	private static final Duration DEAD_ROWS_CHECK = Duration.ofSeconds(1);

	/** How long after a vacuum that left many dead rows behind (a held snapshot) the next may try again. */
	private static final Duration HELD_BACK_RETRY = Duration.ofMinutes(1);

	private final JobStore store;

	private final Duration vacuumInterval;

	private final long vacuumDeadRows;

	private final InstantSource clock;

	/** When the last vacuum ended (the clock's epoch milliseconds), for a vacuum that waits for dead rows or its interval. */
	private long vacuumedAt;

	/**
	 * The dead rows the last vacuum left: those a held snapshot keeps (see {@link SnapshotWatch}). The next vacuum
	 * by dead rows waits for that many more, or for a minute, not for that many: otherwise a vacuum that can remove
	 * nothing would run again every second for as long as the snapshot is held, scanning an ever larger table for
	 * nothing; after a minute it tries again, so that the rows are removed soon once the snapshot is gone.
	 */
	private long deadRowsLeft;

	/** Whether the last count of dead rows failed: one warning for a run of failures, not one a second. */
	private boolean deadRowsFailing;

	/** Whether this node's user may vacuum the job table; null until known. */
	private volatile Boolean vacuumPermitted;

	Vacuum(JobStore store, Duration vacuumInterval, long vacuumDeadRows, InstantSource clock) {
		this.store = store;
		this.vacuumInterval = vacuumInterval;
		this.vacuumDeadRows = vacuumDeadRows;
		this.clock = clock;
		this.vacuumedAt = clock.millis();
	}

	/**
	 * Schedules the vacuum on {@code scheduler}, run while {@code leads}: by dead rows (counted every second, or
	 * every vacuum interval if shorter) or its interval, whichever comes first. Warns (once per JVM and table)
	 * when the job table would bloat: neither set on a PostgreSQL server with autovacuum off.
	 */
	void schedule(ScheduledExecutorService scheduler, BooleanSupplier leads) {
		if (this.vacuumInterval == null && this.vacuumDeadRows == 0) {
			scheduler.execute(this::warnIfNobodyVacuums);
		}
		else if (!this.store.vendor().needsVacuum()) {
			// a worker vacuums by dead rows by default, so only a vacuum interval tells that one was asked for
			if (this.vacuumInterval != null) {
				logger.info("sqlqueue's vacuum settings are ignored: {} needs no VACUUM", this.store.vendor());
			}
		}
		else if (this.vacuumDeadRows == 0) {
			scheduler.scheduleWithFixedDelay(() -> {
				if (leads.getAsBoolean()) {
					vacuum();
				}
			}, this.vacuumInterval.toMillis(), this.vacuumInterval.toMillis(), TimeUnit.MILLISECONDS);
		}
		else {
			long check = (this.vacuumInterval != null) ? Math.min(DEAD_ROWS_CHECK.toMillis(), this.vacuumInterval.toMillis())
					: DEAD_ROWS_CHECK.toMillis();
			scheduler.scheduleWithFixedDelay(() -> {
				if (leads.getAsBoolean()) {
					whenDue();
				}
			}, check, check, TimeUnit.MILLISECONDS);
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
	boolean vacuum() {
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
	 * Vacuums if the job table holds the configured number of dead rows, or the vacuum interval has passed since
	 * the last vacuum (by the clock).
	 * @return whether it vacuumed
	 */
	boolean whenDue() {
		if (!mayVacuum()) {
			return false;
		}
		boolean due = this.vacuumInterval != null
				&& this.clock.millis() - this.vacuumedAt >= this.vacuumInterval.toMillis();
		if (!due) {
			try {
				long dead = this.store.tableDeadRows();
				due = dead - this.deadRowsLeft >= this.vacuumDeadRows || (dead >= this.vacuumDeadRows
						&& this.clock.millis() - this.vacuumedAt >= HELD_BACK_RETRY.toMillis());
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
			this.deadRowsLeft = vacuumed ? deadRowsNow() : 0;
			return vacuumed;
		}
		return false;
	}

	/** The dead rows the server counts now, or 0 when it cannot say (the next check just comes sooner). */
	private long deadRowsNow() {
		try {
			return this.store.tableDeadRows();
		}
		catch (RuntimeException ex) {
			return 0;
		}
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

}
