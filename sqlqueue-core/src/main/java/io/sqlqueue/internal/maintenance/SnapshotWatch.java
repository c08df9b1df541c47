package io.sqlqueue.internal.maintenance;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.HeldSnapshot;
import io.sqlqueue.internal.store.JobStore;

/**
 * Watches, on PostgreSQL, for a session of the database that holds a snapshot so old that vacuum has been unable
 * to remove dead rows for that long, and warns once per holding transaction, naming it; part of the
 * {@link Maintenance} its leader runs, and logs under {@code Maintenance}'s name with the other chores. The dead
 * rows it keeps pile up in the job table, and every claim reads past them: the queue slows down with no error.
 */
final class SnapshotWatch {

	private static final Logger logger = LoggerFactory.getLogger(Maintenance.class);

	/** The longest pause between two looks: a snapshot is seen at most this late after its warning age. */
	private static final Duration MAX_CHECK = Duration.ofSeconds(30);

	private final JobStore store;

	private final Duration warningAge;

	/**
	 * The holders warned about (pid and when the transaction began) since the horizon was last clear, so that
	 * each is named once however often it is seen.
	 */
	private final Set<String> warned = new HashSet<>();

	/** Whether the last look failed: one warning for a run of failures. */
	private boolean failing;

	SnapshotWatch(JobStore store, Duration warningAge) {
		this.store = store;
		this.warningAge = warningAge;
	}

	/** Looks every half warning age (at most every 30 s) while {@code leads}, where the database needs vacuum. */
	void schedule(ScheduledExecutorService scheduler, BooleanSupplier leads) {
		if (!this.store.vendor().needsVacuum()) {
			return;
		}
		long check = Math.max(100, Math.min(MAX_CHECK.toMillis(), this.warningAge.toMillis() / 2));
		scheduler.scheduleWithFixedDelay(() -> {
			if (leads.getAsBoolean()) {
				check();
			}
		}, check, check, TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads the oldest snapshot held by another session and warns, once per holding transaction, when it is older
	 * than the warning age.
	 * @return the oldest snapshot, whatever its age; empty where the database needs no vacuum, or on failure
	 */
	synchronized Optional<HeldSnapshot> check() {
		if (!this.store.vendor().needsVacuum()) {
			return Optional.empty();
		}
		Optional<HeldSnapshot> oldest;
		try {
			oldest = this.store.snapshotOldest();
			this.failing = false;
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				logger.warn("sqlqueue could not read the oldest snapshot from pg_stat_activity; it will try again: {}",
						ex.getMessage());
			}
			this.failing = true;
			return Optional.empty();
		}
		HeldSnapshot held = oldest.filter((snapshot) -> snapshot.age().compareTo(this.warningAge) >= 0).orElse(null);
		if (held == null) {
			this.warned.clear();
			return oldest;
		}
		// the transaction's start tells a new transaction of the same session from the one warned about
		String holder = held.pid() + "@" + held.since();
		if (this.warned.add(holder)) {
			logger.warn("sqlqueue: PostgreSQL session pid {} (application '{}', {}) has held a snapshot for {} ({}"
					+ " transactions began since): until it ends, vacuum removes no dead row of {} and claims slow down as they"
					+ " pile up. End its transaction, or SELECT pg_terminate_backend({}).", held.pid(),
					held.applicationName(), (held.state() != null) ? held.state() : "state not visible to this user",
					held.age(), held.transactionsBehind(), this.store.jobTable(), held.pid());
		}
		return oldest;
	}

}
