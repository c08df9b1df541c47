package io.sqlqueue.worker;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.sqlqueue.InvalidSettingException;

/**
 * How the job table is maintained: how often jobs whose lease expired are rescued, how often finished jobs
 * past their retention are deleted, when the table is vacuumed on PostgreSQL, and how long the node elected
 * to do all this leads without renewing its term; and how often every node records that it is alive.
 *
 * <pre>{@code
 * import io.sqlqueue.worker.MaintenanceSettings;
 *
 * MaintenanceSettings maintenance = MaintenanceSettings.defaults()
 *         .withRescueInterval(Duration.ofSeconds(10))
 *         .withVacuumInterval(Duration.ofHours(1));
 * }</pre>
 *
 * @param rescueInterval how often jobs whose lease expired are returned to READY (or DEAD)
 * @param cleanInterval how often finished jobs past their retention are deleted
 * @param vacuumInterval how often the job table is vacuumed on PostgreSQL, or {@code null} for no vacuum on a
 * schedule; ignored elsewhere
 * @param vacuumDeadRows on PostgreSQL, vacuum the job table as soon as the server counts this many dead row
 * versions in it, {@code 0} for no such vacuum; ignored elsewhere
 * @param retention how long finished jobs are kept
 * @param leaderTerm how long the node elected to run the maintenance leads without renewing (it renews three times
 * a term): a leader that died is replaced within this time
 * @param nodeHeartbeat how often every worker node records that it is alive in the node table; a node silent for
 * three heartbeats is dead, and the leader gives its RUNNING jobs back without waiting out their leases
 * @param unhandledAfter how long due jobs of a type no running node of their queue has a handler for may wait
 * before the leader warns about them (see {@link io.sqlqueue.JobQueue#unhandledJobs(Duration)})
 * @param snapshotWarningAge on PostgreSQL, how old the oldest snapshot another session holds may grow before the
 * leader warns, naming the session (see {@link io.sqlqueue.JobQueue#oldestSnapshot()}); ignored elsewhere
 */
public record MaintenanceSettings(Duration rescueInterval, Duration cleanInterval, @Nullable Duration vacuumInterval,
		long vacuumDeadRows, Retention retention, Duration leaderTerm, Duration nodeHeartbeat, Duration unhandledAfter,
		Duration snapshotWarningAge) {

	/** The lease rescuer's interval unless configured. */
	public static final Duration DEFAULT_RESCUE_INTERVAL = Duration.ofSeconds(30);

	/** The retention cleaner's interval unless configured. */
	public static final Duration DEFAULT_CLEAN_INTERVAL = Duration.ofMinutes(1);

	/**
	 * The number of dead row versions at which a node vacuums the job table on PostgreSQL unless configured:
	 * about 170,000 jobs' worth. Where autovacuum keeps up, the table never gets there; where autovacuum is off,
	 * or visits too seldom for a busy queue (once a minute by default), the node vacuums before the dead rows
	 * slow its claims down.
	 */
	public static final long DEFAULT_VACUUM_DEAD_ROWS = 500_000;

	/** The maintenance leader's term unless configured. */
	public static final Duration DEFAULT_LEADER_TERM = Duration.ofSeconds(15);

	/** How often a node records that it is alive unless configured. */
	public static final Duration DEFAULT_NODE_HEARTBEAT = Duration.ofSeconds(5);

	/** How long jobs no node can run may wait before the leader warns, unless configured. */
	public static final Duration DEFAULT_UNHANDLED_AFTER = Duration.ofMinutes(5);

	/**
	 * How old a snapshot held by another session may grow before the leader warns, unless configured: far longer
	 * than any request or job should keep a transaction open, and short enough to be seen before the dead rows
	 * it keeps slow claims down (a busy queue leaves about three a job).
	 */
	public static final Duration DEFAULT_SNAPSHOT_WARNING_AGE = Duration.ofMinutes(5);

	private static final MaintenanceSettings DEFAULTS = new MaintenanceSettings(DEFAULT_RESCUE_INTERVAL,
			DEFAULT_CLEAN_INTERVAL, null, DEFAULT_VACUUM_DEAD_ROWS, Retention.DEFAULT, DEFAULT_LEADER_TERM,
			DEFAULT_NODE_HEARTBEAT, DEFAULT_UNHANDLED_AFTER, DEFAULT_SNAPSHOT_WARNING_AGE);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException when the rescue or clean interval is {@code null} or not positive, the vacuum
	 * interval is zero or negative, {@code vacuumDeadRows} is negative, the retention is {@code null}, or the leader
	 * term is {@code null} or shorter than 1 s, or the node heartbeat, unhandled-after or snapshot warning age is
	 * {@code null} or not positive
	 */
	public MaintenanceSettings {
		InvalidSettingException.requirePositive("rescueInterval", rescueInterval);
		InvalidSettingException.requirePositive("cleanInterval", cleanInterval);
		if (vacuumInterval != null) {
			InvalidSettingException.requirePositive("vacuumInterval", vacuumInterval);
		}
		if (vacuumDeadRows < 0) {
			throw new InvalidSettingException("vacuumDeadRows", "must be 0 (none) or positive, was " + vacuumDeadRows);
		}
		InvalidSettingException.requireNonNull("retention", retention);
		InvalidSettingException.requireNonNull("leaderTerm", leaderTerm);
		if (leaderTerm.toMillis() < 1000) {
			throw new InvalidSettingException("leaderTerm", "must be at least 1s, was " + leaderTerm);
		}
		InvalidSettingException.requirePositive("nodeHeartbeat", nodeHeartbeat);
		InvalidSettingException.requirePositive("unhandledAfter", unhandledAfter);
		InvalidSettingException.requirePositive("snapshotWarningAge", snapshotWarningAge);
	}

	/**
	 * The defaults: rescue every 30 s, clean every minute, no vacuum on a schedule, a vacuum at
	 * {@value #DEFAULT_VACUUM_DEAD_ROWS} dead rows, {@link Retention#DEFAULT}, a leader term of 15 s, a node heartbeat every 5 s, a warning about
	 * jobs no node can run after 5 min, a warning about a snapshot held for 5 min.
	 */
	public static MaintenanceSettings defaults() {
		return DEFAULTS;
	}

	/**
	 * A copy rescuing expired leases every {@code rescueInterval}.
	 * @throws InvalidSettingException when {@code rescueInterval} is {@code null}, zero or negative
	 */
	public MaintenanceSettings withRescueInterval(Duration rescueInterval) {
		return new MaintenanceSettings(rescueInterval, this.cleanInterval, this.vacuumInterval, this.vacuumDeadRows,
				this.retention, this.leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy deleting finished jobs past their retention every {@code cleanInterval}.
	 * @throws InvalidSettingException when {@code cleanInterval} is {@code null}, zero or negative
	 */
	public MaintenanceSettings withCleanInterval(Duration cleanInterval) {
		return new MaintenanceSettings(this.rescueInterval, cleanInterval, this.vacuumInterval, this.vacuumDeadRows,
				this.retention, this.leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy vacuuming the job table on PostgreSQL every {@code vacuumInterval}, {@code null} for no vacuum on a
	 * schedule. Needs the table's owner: a node whose user is not says so once and does not try.
	 * @throws InvalidSettingException when {@code vacuumInterval} is zero or negative
	 */
	public MaintenanceSettings withVacuumInterval(@Nullable Duration vacuumInterval) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, vacuumInterval, this.vacuumDeadRows,
				this.retention, this.leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy vacuuming the job table on PostgreSQL as soon as the server counts {@code vacuumDeadRows} dead row
	 * versions in it (checked every second), {@code 0} for no such vacuum. Unlike an interval it keeps pace with
	 * the queue: a busy queue (about three dead versions a job) is vacuumed often, a quiet one seldom, and one that
	 * autovacuum keeps clean never. With a vacuum interval as well, whichever comes first.
	 * @throws InvalidSettingException when {@code vacuumDeadRows} is negative
	 */
	public MaintenanceSettings withVacuumDeadRows(long vacuumDeadRows) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, this.vacuumInterval, vacuumDeadRows,
				this.retention, this.leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy keeping finished jobs as {@code retention} says.
	 * @throws InvalidSettingException when {@code retention} is {@code null}
	 */
	public MaintenanceSettings withRetention(Retention retention) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, this.vacuumInterval,
				this.vacuumDeadRows, retention, this.leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy in which the elected node leads for {@code leaderTerm} without renewing.
	 * @throws InvalidSettingException when {@code leaderTerm} is {@code null} or shorter than 1 s
	 */
	public MaintenanceSettings withLeaderTerm(Duration leaderTerm) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, this.vacuumInterval,
				this.vacuumDeadRows, this.retention, leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy in which every node records that it is alive every {@code nodeHeartbeat}.
	 * @throws InvalidSettingException when {@code nodeHeartbeat} is {@code null}, zero or negative
	 */
	public MaintenanceSettings withNodeHeartbeat(Duration nodeHeartbeat) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, this.vacuumInterval,
				this.vacuumDeadRows, this.retention, this.leaderTerm, nodeHeartbeat, this.unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy under which the leader warns about due jobs no running node can run once they waited
	 * {@code unhandledAfter}.
	 * @throws InvalidSettingException when {@code unhandledAfter} is {@code null}, zero or negative
	 */
	public MaintenanceSettings withUnhandledAfter(Duration unhandledAfter) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, this.vacuumInterval,
				this.vacuumDeadRows, this.retention, this.leaderTerm, this.nodeHeartbeat, unhandledAfter,
				this.snapshotWarningAge);
	}

	/**
	 * A copy under which the leader warns, on PostgreSQL, once the oldest snapshot another session of the database
	 * holds is {@code snapshotWarningAge} old: it keeps vacuum from removing the job table's dead rows.
	 * @throws InvalidSettingException when {@code snapshotWarningAge} is {@code null}, zero or negative
	 */
	public MaintenanceSettings withSnapshotWarningAge(Duration snapshotWarningAge) {
		return new MaintenanceSettings(this.rescueInterval, this.cleanInterval, this.vacuumInterval,
				this.vacuumDeadRows, this.retention, this.leaderTerm, this.nodeHeartbeat, this.unhandledAfter,
				snapshotWarningAge);
	}

}
