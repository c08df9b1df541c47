package io.sqlqueue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A durable job queue in a SQL database.
 *
 * <pre>{@code
 * JobQueue jobs = JdbcJobQueue.builder(dataSource).build();
 * long id = jobs.enqueue("send-email", new SendEmail("ada@example.com", "Welcome"));
 * jobs.find(id).map(Job::state);   // READY, then RUNNING, then SUCCEEDED
 * }</pre>
 *
 * <p>Enqueue runs on the caller's connection and joins an active Spring-managed transaction: a
 * rolled-back transaction leaves no job behind.
 */
public interface JobQueue {

	/** The queue used when neither the enqueue options nor the type's handler name one. */
	String DEFAULT_QUEUE = "default";

	/** Attempts allowed when neither the enqueue options nor the queue settings say otherwise. */
	int DEFAULT_MAX_ATTEMPTS = 10;

	/** Batches and workflows of this queue's jobs. */
	JobGroups groups();

	/**
	 * A new workflow named {@code name}: steps that wait for each other, enqueued together by
	 * {@link WorkflowBuilder#enqueue()}.
	 * <pre>{@code
	 * jobs.workflow("onboard").add("fetch", "fetch-photo", url).add("resize", "resize-photo", null, after("fetch")).enqueue();
	 * }</pre>
	 */
	default WorkflowBuilder workflow(String name) {
		return groups().workflow(name);
	}

	/**
	 * A new batch named {@code name}: jobs whose callbacks run once, when every one has finished, enqueued
	 * together by {@link BatchBuilder#enqueue()}.
	 */
	default BatchBuilder batch(String name) {
		return groups().batch(name);
	}

	/** Workflow {@code id} with its steps, their states and dependencies; empty when there is none. */
	default Optional<JobGroup> workflow(long id) {
		return groups().find(id).filter((group) -> group.kind() == JobGroup.Kind.WORKFLOW);
	}

	/** Batch {@code id} with its members, their states and counts; empty when there is none. */
	default Optional<JobGroup> batch(long id) {
		return groups().find(id).filter((group) -> group.kind() == JobGroup.Kind.BATCH);
	}

	/** Adds jobs to running batch {@code batchId}; see {@link JobGroups#addToBatch(long, List)}. */
	default List<Long> addToBatch(long batchId, List<JobRequest> requests) {
		return groups().addToBatch(batchId, requests);
	}

	/** Cancels batch or workflow {@code id}; see {@link JobGroups#cancel(long)}. */
	default int cancelGroup(long id) {
		return groups().cancel(id);
	}

	/**
	 * Enqueues a job of the type whose handler declares {@code payload}'s class.
	 * @return the job id
	 * @throws UnknownJobTypeException when no handler is registered for the payload's class
	 */
	default long enqueue(Object payload) {
		return enqueue(payload, EnqueueOptions.defaults());
	}

	/**
	 * Enqueues a job of the type whose handler declares {@code payload}'s class, with options.
	 * @return the job id, or the existing job's id when a unique key is already held
	 * @throws UnknownJobTypeException when no handler is registered for the payload's class
	 */
	long enqueue(Object payload, EnqueueOptions options);

	/**
	 * Enqueues a job of {@code type} whose payload is written as JSON.
	 * @return the job id
	 */
	default long enqueue(String type, @Nullable Object payload) {
		return enqueue(type, payload, EnqueueOptions.defaults());
	}

	/**
	 * Enqueues a job of {@code type} whose payload is written as JSON, with options.
	 * @return the job id, or the existing job's id when a unique key is already held
	 * @throws IllegalArgumentException when the type, queue or payload is not acceptable
	 * @throws PayloadCodecException when the payload cannot be written as JSON
	 * @throws DuplicateJobException when the unique key is held and the policy is REJECT
	 */
	long enqueue(String type, @Nullable Object payload, EnqueueOptions options);

	/**
	 * Enqueues many jobs in as few round trips as the database allows (one multi-row insert
	 * when none has a unique key), all or nothing.
	 * @return the job ids, in the order of {@code requests}
	 */
	List<Long> enqueueAll(List<JobRequest> requests);

	/** The job with {@code id}, if it still exists. */
	Optional<Job> find(long id);

	/** Jobs matching {@code query}, oldest id first, or newest first when it says {@link JobQuery#descending()}. */
	List<Job> list(JobQuery query);

	/**
	 * The failed attempts of job {@code id}, first attempt first: each with its node, end, error and stack trace.
	 * Empty for a job that never failed or does not exist. {@code jobs.attempts(id).size()} is how often it failed.
	 */
	List<JobAttempt> attempts(long id);

	/** Jobs of {@code queue} in {@code state}, oldest first, at most {@code limit}. */
	default List<Job> list(String queue, JobState state, int limit) {
		return list(JobQuery.all().inQueue(queue).inState(state).limit(limit));
	}

	/**
	 * How many jobs of {@code queue} (all queues when {@code null}) are in {@code state} (all when
	 * {@code null}). It counts rows: keep it off hot paths.
	 */
	long count(@Nullable String queue, @Nullable JobState state);

	/**
	 * Job counts per queue and state, in one grouped query: every state of every queue that has jobs, zero where
	 * none is in that state. It counts rows: keep it off hot paths.
	 */
	Map<String, Map<JobState, Long>> countByQueueAndState();

	/**
	 * Pauses {@code queue} on every node: no node claims its jobs once it has seen the pause (at its next claim:
	 * the claim itself reads it), running jobs finish, enqueue goes on. It stays paused across restarts.
	 */
	void pauseQueue(String queue);

	/** Resumes {@code queue}: nodes claim its jobs again at once. */
	void resumeQueue(String queue);

	/** Sets the limits of {@code queue}, replacing those set before; every node holds to them from its next poll. */
	void updateQueueLimits(String queue, QueueLimits limits);

	/** How {@code queue} is steered: paused or not, and its limits. */
	QueueControl queueControl(String queue);

	/** Every queue that was paused or given limits, with its control. */
	List<QueueControl> queueControls();

	/** Every recurring schedule any node stored, by name, with its next tick and last job. */
	List<RecurringStatus> recurringSchedules();

	/** The worker nodes that recorded themselves, alive or dead within the last hour, oldest first. */
	List<NodeStatus> nodes();

	/**
	 * Due jobs waiting longer than {@code longerThan} whose type no running worker node of their queue has a
	 * handler for: a node claims only the types it can run, so such jobs wait (READY) for a node that can. It
	 * reads the due backlog: keep it off hot paths.
	 */
	List<UnhandledJobs> unhandledJobs(Duration longerThan);

	/**
	 * On PostgreSQL, the other session of this database holding the oldest snapshot: while it is open, vacuum
	 * removes no dead row of the job table, and claims slow down as they pile up. Empty when no session holds one,
	 * and on other databases. One read of {@code pg_stat_activity}.
	 */
	Optional<HeldSnapshot> oldestSnapshot();

	/**
	 * Cancels a job. A READY or WAITING job becomes CANCELLED at once; a RUNNING job has its
	 * cancellation requested, which its handler sees through {@link JobContext#isCancellationRequested()}.
	 * @return whether the job was found in a state that can be cancelled
	 */
	boolean cancel(long id);

	/**
	 * Moves a READY, WAITING or RUNNING job to DEAD by hand. A running handler is not stopped, but
	 * its outcome is no longer recorded.
	 * @return whether the job was found in such a state
	 */
	boolean kill(long id, String reason);

	/**
	 * Replays a dead job: it becomes READY with its attempts reset, keeping its last error. A dead job
	 * whose unique key another READY, RUNNING or WAITING job holds now is not replayed.
	 * @return whether it was replayed: {@code false} when no DEAD job has that id or its key is held
	 */
	boolean retryDead(long id);

	/**
	 * Deletes a finished (SUCCEEDED, DEAD or CANCELLED) job before its retention would.
	 * @return whether a finished job with that id was deleted: {@code false} when none exists or it is not finished
	 */
	boolean delete(long id);

	/**
	 * Replays every dead job of {@code queue}, but those whose unique key another active job holds now.
	 * @return how many were replayed
	 */
	int retryDeadInQueue(String queue);

	/**
	 * Deletes jobs in the finished {@code state} that finished more than {@code olderThan} ago,
	 * in batches.
	 * @return how many were deleted
	 */
	int purge(JobState state, Duration olderThan);

	/**
	 * Claims up to {@code limit} due jobs of {@code queue} for the caller, who records each outcome through
	 * the returned {@link ClaimedJob} before {@code lease} runs out: the pull-style alternative to a worker.
	 * @return the claimed jobs in claim order, possibly none
	 */
	List<ClaimedJob> claim(String queue, int limit, Duration lease);

	/**
	 * Claims the next due job of {@code queue}, waiting up to {@code wait} for one.
	 * @return the claimed job, or empty when none came in time
	 * @throws InterruptedException when interrupted while waiting
	 */
	Optional<ClaimedJob> poll(String queue, Duration wait, Duration lease) throws InterruptedException;

	/**
	 * Makes RUNNING jobs whose lease expired READY again now (DEAD on their last attempt); workers do it
	 * on their own every {@code rescueInterval}.
	 * @return how many jobs were rescued
	 */
	int rescueExpired();

	/**
	 * Checks a queue name: 1 to 128 letters, digits, {@code -}, {@code _}, {@code .} or {@code :}.
	 * @throws IllegalArgumentException naming what was wrong
	 */
	static String validateQueueName(String queue) {
		if (queue == null || !QueueNames.PATTERN.matcher(queue).matches()) {
			throw new IllegalArgumentException("Invalid queue name '" + queue
					+ "': use 1 to 128 letters, digits, '-', '_', '.' or ':'");
		}
		return queue;
	}

	/**
	 * Checks a job type: not blank, at most 255 characters.
	 * @throws IllegalArgumentException naming what was wrong
	 */
	static String validateType(String type) {
		if (type == null || type.isBlank()) {
			throw new IllegalArgumentException("Job type must not be null or blank");
		}
		if (type.length() > 255) {
			throw new IllegalArgumentException("Job type must be at most 255 characters, was " + type.length());
		}
		return type;
	}

	/**
	 * Checks a table prefix: a letter or {@code _}, then up to 40 letters, digits or {@code _}. Configuration
	 * never reaches SQL unchecked.
	 * @throws IllegalArgumentException naming the value
	 */
	static String validateTablePrefix(String tablePrefix) {
		if (tablePrefix == null || !QueueNames.TABLE_PREFIX.matcher(tablePrefix).matches()) {
			throw new IllegalArgumentException("Invalid table prefix '" + tablePrefix
					+ "': use a letter or '_' followed by up to 40 letters, digits or '_'");
		}
		return tablePrefix;
	}

}

final class QueueNames {

	static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

	static final Pattern TABLE_PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");

	private QueueNames() {
	}

}
