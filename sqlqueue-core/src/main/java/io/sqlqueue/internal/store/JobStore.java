package io.sqlqueue.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

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
 * Every statement sqlqueue runs against its tables, named entity then verb ({@code jobGetAvailable},
 * {@code jobSetStateIfRunningMany}, {@code leaderAttemptElect}), the shape of River's driver. Every
 * transition out of RUNNING is guarded by the run's id, attempt and state, so that a worker that lost its
 * lease cannot change the job; times come from the database clock.
 *
 * <p>Writes run on the caller's connection and join its Spring-managed transaction when there is one.
 */
public interface JobStore {

	/** What differs on this store's database. */
	Vendor vendor();

	/** The job table's name. */
	String jobTable();

	/** The configured table prefix. */
	String tablePrefix();

	/** The statements of batches and workflows. */
	GroupStore groups();

	/** Runs {@code work} in a read-committed transaction, joining one already active. */
	<T> T inTransaction(Supplier<T> work);

	/** The database's current time. */
	Instant databaseNow();

	// ---- jobs: insert ------------------------------------------------------------------------

	/**
	 * Inserts one job. When an active job already holds its unique key, inserts nothing and returns that
	 * job's id.
	 */
	InsertResult jobInsert(NewJob job);

	/**
	 * Inserts a job that is due now and notifies its queue in the same statement, which PostgreSQL sends as
	 * the insert commits. Only where {@link Vendor#notifies()}.
	 * @return the new job's id
	 */
	long jobInsertNotifying(NewJob job, String channel, String payload);

	/**
	 * Inserts jobs without unique keys in multi-row statements ({@link #jobInsertManyMaxRows()} a statement).
	 * @return the ids, in the order of {@code jobs}
	 */
	List<Long> jobInsertMany(List<NewJob> jobs);

	/** How many jobs {@link #jobInsertMany} writes in one statement, which is atomic by itself. */
	int jobInsertManyMaxRows();

	/** The id of the READY, RUNNING or WAITING job holding {@code uniqueKey}. */
	Optional<Long> jobGetActiveIdByUniqueKey(String uniqueKey);

	// ---- jobs: claim -------------------------------------------------------------------------

	/**
	 * Claims up to {@code params.limit()} due jobs of a queue in one statement (one transaction where the
	 * database needs two): RUNNING, attempt + 1, leased until now + lease. Highest priority first, then
	 * oldest due, then oldest id.
	 */
	List<Job> jobGetAvailable(ClaimParams params);

	/**
	 * Claims up to {@code params.limit()} jobs of a FIFO queue: only the oldest unfinished job of each
	 * ordering key (of the whole queue for jobs without one), and only when none of that key is running.
	 * Claims of one FIFO queue are serialized across all nodes. Oldest id first.
	 */
	List<Job> jobGetAvailableFifo(ClaimParams params);

	/**
	 * Claims like {@link #jobGetAvailable}, held to the queue's limits (global and per-key concurrency, rate),
	 * which it reads under the queue row's lock, so that the claims of all nodes take turns.
	 * @param handlers the claiming node's handler threads for the queue: a node that no other node's jobs run
	 * beside, and whose handlers cannot exceed the global concurrency, may claim ahead as an unlimited queue does
	 */
	LimitedClaim jobGetAvailableLimited(ClaimParams params, int handlers);

	/** Makes sure the row that serializes the claims of FIFO queue {@code queue} exists. */
	void queueLockEnsure(String queue);

	// ---- jobs: outcomes ------------------------------------------------------------------------

	/**
	 * Writes the outcomes of many runs, each guarded by its id, attempt and RUNNING. In the same
	 * transaction, WAITING children of jobs that SUCCEEDED become READY, and those of jobs that ended DEAD or
	 * CANCELLED are cancelled, with theirs in turn. Once that is committed, what the ends of members of batches
	 * and workflows release is resolved ({@link GroupStore#groupAfterEnded}).
	 * @return the runs whose outcome was written; the others had lost their lease
	 */
	default Set<JobRef> jobSetStateIfRunningMany(List<StateChange> changes) {
		return jobSetStateIfRunningMany(changes, null);
	}

	/**
	 * As {@link #jobSetStateIfRunningMany(List)}, with the look at batches and workflows some of whose members
	 * ended (workflow steps aside, whose dependents are resolved at once) left to the caller when
	 * {@code groupsToLookAt} is given: their ids are added to it, and the caller must pass them to
	 * {@link GroupStore#groupAfterEnded} once this has committed, or the maintenance sweep finishes them.
	 */
	Set<JobRef> jobSetStateIfRunningMany(List<StateChange> changes, Set<Long> groupsToLookAt);

	/**
	 * Extends the leases of runs still owned to now + {@code lease}.
	 * @return the runs still owned, with their cancellation flags
	 */
	List<LeaseStatus> jobExtendLeaseIfRunningMany(List<JobRef> refs, Duration lease);

	// ---- jobs: administration ------------------------------------------------------------------

	/** READY or WAITING to CANCELLED (and their waiting children); RUNNING gets its cancellation requested. */
	boolean jobCancel(long id);

	/** READY, WAITING or RUNNING to DEAD with {@code reason} (and waiting children cancelled). */
	boolean jobKill(long id, String reason);

	/**
	 * DEAD to READY with a fresh set of attempts, unless another active job holds its unique key. The attempt
	 * counter keeps growing, so a run that lost its lease long ago can never match a new run's fencing token.
	 */
	boolean jobRetryDead(long id);

	/** Every DEAD job of {@code queue} to READY, but those whose unique key another active job holds. */
	int jobRetryDeadInQueue(String queue);

	/** Deletes job {@code id} when it is SUCCEEDED, DEAD or CANCELLED. */
	boolean jobDeleteFinished(long id);

	// ---- jobs: maintenance -----------------------------------------------------------------------

	/**
	 * Moves the due times of READY and WAITING jobs {@code by} earlier and the recurring ticks within it to now, as
	 * if that much time had passed: the clock of tests, since due times come from the database's clock.
	 * @return how many jobs were moved
	 */
	int jobMoveDueTimesBack(Duration by);

	/**
	 * RUNNING jobs whose lease expired: back to READY, or to DEAD when that was their last attempt.
	 * @return how many were rescued
	 */
	int jobRescueExpired();

	/**
	 * WAITING jobs whose parent succeeded become READY; those whose parent is dead, cancelled or gone are
	 * cancelled with a reason. Catches what an outcome could not (a child enqueued while its parent was
	 * finishing).
	 * @return how many jobs changed
	 */
	int jobResolveWaiting();

	/**
	 * Deletes up to {@code limit} jobs in the finished {@code state} older than their retention: their own
	 * when they have one, else {@code defaultRetention}.
	 */
	int jobDeleteExpired(JobState state, Duration defaultRetention, int limit);

	/** Deletes up to {@code limit} jobs in {@code state} that finished more than {@code olderThan} ago. */
	int jobDeleteFinished(JobState state, Duration olderThan, int limit);

	/** {@code VACUUM (ANALYZE)} of the job table, where {@link Vendor#needsVacuum()}. */
	void tableVacuum();

	/** The job table's dead row versions as the server's statistics count them, where it needs vacuum. */
	long tableDeadRows();

	/**
	 * Why this connection's user may not vacuum the job table (the server would skip it with a warning, not
	 * an error), or {@code null} when it may or the database needs no vacuum.
	 */
	String tableVacuumRefusal();

	/** Why the job table will bloat unless sqlqueue or the operator vacuums it, or {@code null}. */
	String tableAutovacuumOff();

	/**
	 * The other session of this database holding the oldest snapshot, which keeps vacuum from removing dead rows,
	 * where the database {@link Vendor#needsVacuum() needs vacuum}.
	 */
	Optional<HeldSnapshot> snapshotOldest();

	// ---- jobs: reads ---------------------------------------------------------------------------

	Optional<Job> jobGet(long id);

	/** The failed attempts of job {@code jobId} in its attempt history, first attempt first. */
	List<JobAttempt> jobAttemptList(long jobId);

	/**
	 * Jobs finished SUCCEEDED and DEAD, and failed attempts retried, in [{@code from}, {@code to}) of the database
	 * clock, across every node.
	 */
	OutcomeCounts jobCountOutcomes(Instant from, Instant to);

	/** The DEAD jobs by queue, type and the start of their last error, the {@code limit} largest groups. */
	List<DeadLetterGroup> jobCountDeadByError(int limit);

	/** Jobs matching {@code query}, oldest id first or, when it asks, newest first. */
	List<Job> jobList(JobQuery query);

	/** How many jobs of {@code queue} (all when {@code null}) are in {@code state} (all when {@code null}). */
	long jobCount(String queue, JobState state);

	/** Job counts per queue and state, in one grouped query; states without jobs are left out. */
	Map<String, Map<JobState, Long>> jobCountByQueueAndState();

	/** Per queue, how long its oldest due READY job has been waiting (database clock). */
	Map<String, Duration> jobOldestDueAge();

	/** Per queue and type, the READY jobs due for longer than {@code longerThan}, with the oldest's wait. */
	List<DueTypeRow> jobCountDueByType(Duration longerThan);

	// ---- queues --------------------------------------------------------------------------------

	/**
	 * Wakes the workers of {@code queues} everywhere, one notification each, outside any transaction. Only
	 * where {@link Vendor#notifies()}.
	 * @param payloads one notification payload per queue
	 */
	void queueNotifyMany(String channel, Collection<String> payloads);

	/** How {@code queue} is steered, when it was ever paused or given limits. */
	Optional<QueueControl> queueControlGet(String queue);

	/** Every queue that was paused or given limits. */
	List<QueueControl> queueControlList();

	/** Pauses or resumes {@code queue}. */
	void queueSetPaused(String queue, boolean paused);

	/** Replaces the limits of {@code queue}. */
	void queueSetLimits(String queue, QueueLimits limits);

	/** Deletes the starts that left their rate limit's window, and stale unique-key locks. @return how many */
	int queuePruneRateStarts();

	// ---- recurring schedules -------------------------------------------------------------------

	/** The stored state of schedule {@code name}, with the database's current time. */
	Optional<RecurringRow> recurringGet(String name);

	/** Stores a new schedule; does nothing when another node stored it first. */
	void recurringInsert(String name, String cron, String zone, Instant nextRunAt);

	/**
	 * Moves schedule {@code name} from tick {@code expected} to {@code next}, and its cron and zone with it,
	 * if no other node did so first.
	 * @return whether this call moved it
	 */
	boolean recurringAdvance(String name, Instant expected, Instant next, String cron, String zone);

	/** Records the job enqueued for the tick just taken. */
	void recurringSetLastJob(String name, long jobId);

	/** Every stored schedule, by name. */
	List<RecurringStatus> recurringList();

	// ---- leadership ----------------------------------------------------------------------------

	/**
	 * Takes leadership {@code name} for {@code leaderId} until now + {@code term} when nobody holds it or its
	 * term has passed, or extends it when {@code leaderId} holds it already.
	 * @return whether {@code leaderId} leads now
	 */
	boolean leaderAttemptElect(String name, String leaderId, Duration term);

	/** Ends {@code leaderId}'s term of {@code name} now, so that another node takes over at its next attempt. */
	void leaderResign(String name, String leaderId);

	/** Who holds leadership {@code name}. */
	Optional<LeaderRow> leaderGet(String name);

	// ---- nodes -----------------------------------------------------------------------------------

	/** Records that node {@code id} is alive, running what {@code info} says, until now + {@code expiresIn}. */
	void nodeHeartbeat(String id, String info, Duration expiresIn);

	/** Removes node {@code id}, which stopped gracefully. */
	void nodeDelete(String id);

	/** Every node recorded, alive or not, oldest first. */
	List<NodeRow> nodeList();

	/**
	 * RUNNING jobs held by nodes whose heartbeat lapsed: back to READY, or DEAD on their last attempt, without
	 * waiting out their leases.
	 * @return how many were rescued
	 */
	int jobRescueOfLapsedNodes();

	/** Deletes the rows of nodes dead for longer than {@code olderThan}. @return how many */
	int nodeDeleteLapsed(Duration olderThan);

}
