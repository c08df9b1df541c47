package io.sqlqueue.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.sqlqueue.DeadLetterGroup;
import io.sqlqueue.HeldSnapshot;
import io.sqlqueue.Job;
import io.sqlqueue.JobAttempt;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobState;
import io.sqlqueue.OutcomeCounts;
import io.sqlqueue.QueueControl;
import io.sqlqueue.RecurringStatus;
import io.sqlqueue.QueueLimits;

/**
 * The {@link JobStore} on JDBC, for every supported database: the statements are written once, in its parts
 * (inserts, claims, outcomes, groups, administration, upkeep, reads, schedules, leadership), and what differs per
 * database comes from its {@link Vendor}.
 */
public final class JdbcJobStore implements JobStore {

	private final StoreSql sql;

	private final JobInserts inserts;

	private final JobClaims claims;

	private final JobOutcomes outcomes;

	private final JobAdmin admin;

	private final JobUpkeep upkeep;

	private final JobReads reads;

	private final Schedules schedules;

	private final Leadership leadership;

	private final Nodes nodes;

	private final QueueControls controls;

	private final LimitedClaims limitedClaims;

	private final JobGroups groups;

	/**
	 * The store of the tables named with {@code tablePrefix} in {@code dataSource}, whose database is detected.
	 * @throws IllegalArgumentException when the prefix is not a valid one
	 * @throws IllegalStateException when the database is not supported or cannot be reached
	 */
	public JdbcJobStore(DataSource dataSource, String tablePrefix) {
		this(dataSource, Vendors.detect(dataSource), tablePrefix);
	}

	JdbcJobStore(DataSource dataSource, Vendor vendor, String tablePrefix) {
		this.sql = new StoreSql(dataSource, vendor, tablePrefix);
		this.inserts = new JobInserts(this.sql);
		this.claims = new JobClaims(this.sql);
		this.groups = new JobGroups(this.sql);
		this.outcomes = new JobOutcomes(this.sql, this.groups);
		this.admin = new JobAdmin(this.sql, this.outcomes, this.groups);
		this.upkeep = new JobUpkeep(this.sql);
		this.reads = new JobReads(this.sql);
		this.schedules = new Schedules(this.sql);
		this.leadership = new Leadership(this.sql);
		this.nodes = new Nodes(this.sql);
		this.controls = new QueueControls(this.sql);
		this.limitedClaims = new LimitedClaims(this.sql, this.claims, this.controls);
	}

	@Override
	public GroupStore groups() {
		return this.groups;
	}

	/** The DataSource it works on. */
	public DataSource dataSource() {
		return this.sql.dataSource;
	}

	@Override
	public Vendor vendor() {
		return this.sql.vendor;
	}

	@Override
	public String jobTable() {
		return this.sql.table;
	}

	@Override
	public String tablePrefix() {
		return this.sql.prefix;
	}

	@Override
	public <T> T inTransaction(Supplier<T> work) {
		return this.sql.inTransaction(work);
	}

	@Override
	public Instant databaseNow() {
		return this.reads.databaseNow();
	}

	@Override
	public InsertResult jobInsert(NewJob job) {
		return this.inserts.insert(job);
	}

	@Override
	public long jobInsertNotifying(NewJob job, String channel, String payload) {
		this.sql.vendor.requireNotifications();
		return this.inserts.insertNotifying(job, channel, payload);
	}

	@Override
	public List<Long> jobInsertMany(List<NewJob> jobs) {
		return this.inserts.insertMany(jobs);
	}

	@Override
	public int jobInsertManyMaxRows() {
		return this.sql.vendor.rowsPerInsert();
	}

	@Override
	public Optional<Long> jobGetActiveIdByUniqueKey(String uniqueKey) {
		return this.inserts.activeIdByUniqueKey(uniqueKey);
	}

	@Override
	public List<Job> jobGetAvailable(ClaimParams params) {
		return this.claims.claim(params);
	}

	@Override
	public List<Job> jobGetAvailableFifo(ClaimParams params) {
		return this.claims.claimFifo(params);
	}

	@Override
	public LimitedClaim jobGetAvailableLimited(ClaimParams params, int handlers) {
		return this.limitedClaims.claim(params, handlers);
	}

	@Override
	public void queueLockEnsure(String queue) {
		this.claims.queueLockEnsure(queue);
	}

	@Override
	public Set<JobRef> jobSetStateIfRunningMany(List<StateChange> changes, Set<Long> groupsToLookAt) {
		return this.outcomes.setStateIfRunningMany(changes, groupsToLookAt);
	}

	@Override
	public List<LeaseStatus> jobExtendLeaseIfRunningMany(List<JobRef> refs, Duration lease) {
		return this.outcomes.extendLeases(refs, lease);
	}

	@Override
	public boolean jobCancel(long id) {
		return this.admin.cancel(id);
	}

	@Override
	public boolean jobKill(long id, String reason) {
		return this.admin.kill(id, reason);
	}

	@Override
	public boolean jobRetryDead(long id) {
		return this.admin.retryDead(id);
	}

	@Override
	public int jobRetryDeadInQueue(String queue) {
		return this.admin.retryDeadInQueue(queue);
	}

	@Override
	public int jobMoveDueTimesBack(Duration by) {
		return this.admin.moveDueTimesBack(by.toMillis());
	}

	@Override
	public boolean jobDeleteFinished(long id) {
		return this.admin.deleteFinished(id);
	}

	@Override
	public int jobRescueExpired() {
		return this.upkeep.rescueExpired();
	}

	@Override
	public int jobResolveWaiting() {
		return this.upkeep.resolveWaiting();
	}

	@Override
	public List<JobAttempt> jobAttemptList(long jobId) {
		return JobAttempts.list(this.sql, jobId);
	}

	@Override
	public OutcomeCounts jobCountOutcomes(Instant from, Instant to) {
		return this.reads.countOutcomes(from, to);
	}

	@Override
	public List<DeadLetterGroup> jobCountDeadByError(int limit) {
		return this.reads.countDeadByError(limit);
	}

	@Override
	public int jobDeleteExpired(JobState state, Duration defaultRetention, int limit) {
		return this.upkeep.deleteExpired(state, defaultRetention, limit);
	}

	@Override
	public int jobDeleteFinished(JobState state, Duration olderThan, int limit) {
		return this.upkeep.deleteFinished(state, olderThan, limit);
	}

	@Override
	public void tableVacuum() {
		this.upkeep.vacuum();
	}

	@Override
	public long tableDeadRows() {
		return this.upkeep.deadRows();
	}

	@Override
	public String tableVacuumRefusal() {
		return this.upkeep.vacuumRefusal();
	}

	@Override
	public String tableAutovacuumOff() {
		return this.upkeep.autovacuumOff();
	}

	@Override
	public Optional<HeldSnapshot> snapshotOldest() {
		return this.upkeep.oldestSnapshot();
	}

	@Override
	public Optional<Job> jobGet(long id) {
		return this.reads.get(id);
	}

	@Override
	public List<Job> jobList(JobQuery query) {
		return this.reads.list(query);
	}

	@Override
	public long jobCount(String queue, JobState state) {
		return this.reads.count(queue, state);
	}

	@Override
	public Map<String, Map<JobState, Long>> jobCountByQueueAndState() {
		return this.reads.countByQueueAndState();
	}

	@Override
	public Map<String, Duration> jobOldestDueAge() {
		return this.reads.oldestDueAge();
	}

	@Override
	public List<DueTypeRow> jobCountDueByType(Duration longerThan) {
		return this.reads.dueByType(longerThan);
	}

	/** {@inheritDoc} Its commit does not wait for the WAL flush: a notification lost in a crash waits for a poll. */
	@Override
	public void queueNotifyMany(String channel, Collection<String> payloads) {
		this.sql.vendor.requireNotifications();
		this.sql.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement("SELECT set_config('synchronous_commit', 'off', true),"
					+ " pg_notify(?, p) FROM unnest(?) AS p");
			ps.setString(1, channel);
			ps.setArray(2, con.createArrayOf("text", payloads.toArray()));
			return ps;
		}, (rs) -> {
		});
	}

	@Override
	public Optional<QueueControl> queueControlGet(String queue) {
		return this.controls.get(queue);
	}

	@Override
	public List<QueueControl> queueControlList() {
		return this.controls.list();
	}

	@Override
	public void queueSetPaused(String queue, boolean paused) {
		this.controls.setPaused(queue, paused);
	}

	@Override
	public void queueSetLimits(String queue, QueueLimits limits) {
		this.controls.setLimits(queue, limits);
	}

	@Override
	public int queuePruneRateStarts() {
		return this.controls.pruneRateStarts();
	}

	@Override
	public Optional<RecurringRow> recurringGet(String name) {
		return this.schedules.get(name);
	}

	@Override
	public void recurringInsert(String name, String cron, String zone, Instant nextRunAt) {
		this.schedules.insert(name, cron, zone, nextRunAt);
	}

	@Override
	public boolean recurringAdvance(String name, Instant expected, Instant next, String cron, String zone) {
		return this.schedules.advance(name, expected, next, cron, zone);
	}

	@Override
	public void recurringSetLastJob(String name, long jobId) {
		this.schedules.setLastJob(name, jobId);
	}

	@Override
	public List<RecurringStatus> recurringList() {
		return this.schedules.list();
	}

	@Override
	public boolean leaderAttemptElect(String name, String leaderId, Duration term) {
		return this.leadership.attemptElect(name, leaderId, term);
	}

	@Override
	public void leaderResign(String name, String leaderId) {
		this.leadership.resign(name, leaderId);
	}

	@Override
	public Optional<LeaderRow> leaderGet(String name) {
		return this.leadership.get(name);
	}

	@Override
	public void nodeHeartbeat(String id, String info, Duration expiresIn) {
		this.nodes.heartbeat(id, info, expiresIn);
	}

	@Override
	public void nodeDelete(String id) {
		this.nodes.delete(id);
	}

	@Override
	public List<NodeRow> nodeList() {
		return this.nodes.list();
	}

	@Override
	public int jobRescueOfLapsedNodes() {
		return this.nodes.rescueJobsOfLapsedNodes();
	}

	@Override
	public int nodeDeleteLapsed(Duration olderThan) {
		return this.nodes.deleteLapsed(olderThan);
	}

}
