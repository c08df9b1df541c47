package io.sqlqueue.spring.actuate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import io.sqlqueue.InvalidSettingException;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.NodeStatus;
import io.sqlqueue.QueueControl;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;

/**
 * The {@code sqlqueue} Actuator endpoint.
 * <ul>
 * <li>{@code GET /actuator/sqlqueue}: job counts per queue and state, and the dead letter, paged by
 * id ({@code ?queue=mail&limit=50&afterId=0}; the response's {@code nextAfterId} fetches the next
 * page) or numbered ({@code ?page=2&size=20}, up to 10,000 jobs deep);</li>
 * <li>{@code GET /actuator/sqlqueue/{id}}: one job with its payload, last error, logs and result;</li>
 * <li>{@code POST /actuator/sqlqueue} with {@code {"id": 42}} replays one dead job, with
 * {@code {"queue": "mail"}} every dead job of a queue;</li>
 * <li>{@code POST /actuator/sqlqueue/{queue}} steers a queue across the cluster: {@code {"paused": true}} pauses
 * it, {@code {"paused": false}} resumes it, and {@code {"globalConcurrency": 3, "keyConcurrency": 1,
 * "rateLimit": "100/1m", "rateLimitPerKey": false}} sets its limits, replacing those it had (a limit left out is
 * lifted; {@code {"limits": "none"}} lifts them all);</li>
 * <li>{@code GET /actuator/sqlqueue/groups/{id}}: a batch or workflow with its members, counts and callbacks, and
 * {@code DELETE /actuator/sqlqueue/groups/{id}} cancels it.</li>
 * </ul>
 * The report's {@code controls} show every queue that was paused or given limits.
 * Over HTTP, {@link SqlQueueEndpointWebExtension} answers bad arguments with 400 and a replay that
 * cannot happen with 404 or 409, each with a body that says why.
 */
@Endpoint(id = "sqlqueue")
public class SqlQueueEndpoint {

	/** Dead jobs listed per page unless {@code limit} says. */
	public static final int DEFAULT_LIMIT = 50;

	private final JdbcJobQueue queue;

	/** An endpoint reporting on and replaying the jobs of {@code queue}. */
	public SqlQueueEndpoint(JdbcJobQueue queue) {
		this.queue = queue;
	}

	/**
	 * Counts per queue and state, and a page of dead jobs: {@code limit} jobs after id
	 * {@code afterId}, or page {@code page} (from 0) of {@code size} jobs.
	 * @throws InvalidEndpointRequestException saying which argument is wrong
	 */
	@ReadOperation
	public QueuesReport queues(@Nullable String queue, @Nullable Integer limit, @Nullable Long afterId,
			@Nullable Integer page, @Nullable Integer size) {
		if (page != null || size != null) {
			if (limit != null || afterId != null) {
				throw invalid("Page with either 'page' and 'size' or 'limit' and 'afterId', not both");
			}
			return numberedPage(queue, (page != null) ? page : 0, (size != null) ? size : DEFAULT_LIMIT);
		}
		return report(deadQuery(queue, (afterId != null) ? afterId : 0, (limit != null) ? limit : DEFAULT_LIMIT));
	}

	/** The numbered page, found by walking ids so that no offset is needed. */
	private QueuesReport numberedPage(@Nullable String queue, int page, int size) {
		if (page < 0 || size < 1 || (long) (page + 1) * size > JobQuery.MAX_LIMIT) {
			throw invalid("page " + page + " of size " + size + " is out of range: page * size must stay within "
					+ JobQuery.MAX_LIMIT + " jobs; page deeper with 'afterId' and 'limit'");
		}
		JobQuery firstPage = deadQuery(queue, 0, size);
		if (page == 0) {
			return report(firstPage);
		}
		List<Job> before = this.queue.list(firstPage.limit(page * size));
		if (before.size() < page * size) {
			return new QueuesReport(counts(), controls(), List.of(), null, this.queue.nodes());
		}
		return report(firstPage.afterId(before.get(before.size() - 1).id()));
	}

	/** Dead jobs of {@code queue} after {@code afterId}, the arguments checked by the query. */
	private JobQuery deadQuery(@Nullable String queue, long afterId, int limit) {
		try {
			return JobQuery.all().inState(JobState.DEAD).inQueue(queue).afterId(afterId).limit(limit);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex.getMessage());
		}
	}

	private QueuesReport report(JobQuery deadPage) {
		List<JobSummary> dead = this.queue.list(deadPage).stream().map(JobSummary::of).toList();
		Long next = (dead.size() == deadPage.limit()) ? dead.get(dead.size() - 1).id() : null;
		return new QueuesReport(counts(), controls(), dead, next, this.queue.nodes());
	}

	private Map<String, QueueControlView> controls() {
		Map<String, QueueControlView> controls = new LinkedHashMap<>();
		this.queue.queueControls().forEach((control) -> controls.put(control.queue(), QueueControlView.of(control)));
		return controls;
	}

	private Map<String, Map<String, Long>> counts() {
		Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
		this.queue.countByQueueAndState().forEach((name, states) -> {
			Map<String, Long> byState = new LinkedHashMap<>();
			for (JobState state : JobState.values()) {
				byState.put(state.name(), states.getOrDefault(state, 0L));
			}
			counts.put(name, byState);
		});
		return counts;
	}

	/** One job, or 404 when it does not exist. */
	@ReadOperation
	public @Nullable JobDetails job(@Selector long id) {
		return this.queue.find(id).map(JobDetails::of).orElse(null);
	}

	/** Batch or workflow {@code id}, or 404 when there is none; {@code section} is {@code groups}. */
	@ReadOperation
	public @Nullable GroupDetails group(@Selector String section, @Selector long id) {
		GroupDetails.requireGroups(section);
		return this.queue.groups().find(id).map(GroupDetails::of).orElse(null);
	}

	/** Cancels batch or workflow {@code id} ({@link JobQueue#cancelGroup(long)}); {@code section} is {@code groups}. */
	@DeleteOperation
	public GroupDetails.Cancelled cancelGroup(@Selector String section, @Selector long id) {
		GroupDetails.requireGroups(section);
		return new GroupDetails.Cancelled(id, this.queue.cancelGroup(id));
	}

	/**
	 * Replays the dead job {@code id}, or every dead job of {@code queue}.
	 * @throws InvalidEndpointRequestException when neither or both are given, or the queue name is not valid
	 * @throws ReplayRefusedException saying why job {@code id} cannot be replayed
	 */
	@WriteOperation
	public ReplayResult replay(@Nullable Long id, @Nullable String queue) {
		if ((id == null) == (queue == null)) {
			throw invalid("Give either 'id' (one dead job) or 'queue' (all dead jobs of a queue)");
		}
		if (id != null) {
			return replayJob(id);
		}
		try {
			JobQueue.validateQueueName(queue);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex.getMessage());
		}
		return new ReplayResult(this.queue.retryDeadInQueue(queue));
	}

	/**
	 * Pauses or resumes {@code queue} when {@code paused} is given, and replaces its limits when any limit is given
	 * ({@code limits} {@code "none"} lifts them all).
	 * @throws InvalidEndpointRequestException when nothing is asked, or the queue name or a limit is not valid
	 */
	@WriteOperation
	public QueueControlView control(@Selector String queue, @Nullable Boolean paused, @Nullable Integer globalConcurrency,
			@Nullable Integer keyConcurrency, @Nullable String rateLimit, @Nullable Boolean rateLimitPerKey,
			@Nullable String limits) {
		boolean newLimits = globalConcurrency != null || keyConcurrency != null || rateLimit != null
				|| rateLimitPerKey != null;
		if (limits != null && !limits.equals("none")) {
			throw invalid("'limits' can only be \"none\" (lift every limit), was '" + limits + "'");
		}
		if (limits != null && newLimits) {
			throw invalid("Give either \"limits\": \"none\" or new limits, not both");
		}
		if (paused == null && !newLimits && limits == null) {
			throw invalid("Give 'paused' (true or false), or limits: 'globalConcurrency', 'keyConcurrency', "
					+ "'rateLimit' (such as 100/1m), 'rateLimitPerKey'; or \"limits\": \"none\"");
		}
		QueueLimits queueLimits;
		try {
			JobQueue.validateQueueName(queue);
			queueLimits = (limits != null) ? QueueLimits.none()
					: newLimits ? limits(globalConcurrency, keyConcurrency, rateLimit, rateLimitPerKey) : null;
		}
		catch (InvalidSettingException ex) {
			throw invalid(ex.setting() + " " + ex.problem());
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex.getMessage());
		}
		if (queueLimits != null) {
			this.queue.updateQueueLimits(queue, queueLimits);
		}
		if (Boolean.TRUE.equals(paused)) {
			this.queue.pauseQueue(queue);
		}
		else if (Boolean.FALSE.equals(paused)) {
			this.queue.resumeQueue(queue);
		}
		return QueueControlView.of(this.queue.queueControl(queue));
	}

	private static QueueLimits limits(@Nullable Integer globalConcurrency, @Nullable Integer keyConcurrency,
			@Nullable String rateLimit, @Nullable Boolean rateLimitPerKey) {
		if (Boolean.TRUE.equals(rateLimitPerKey) && rateLimit == null) {
			throw new IllegalArgumentException("'rateLimitPerKey' needs a 'rateLimit'");
		}
		RateLimit rate = (rateLimit != null) ? RateLimit.parse(rateLimit) : null;
		if (rate != null && Boolean.TRUE.equals(rateLimitPerKey)) {
			rate = rate.forEachKey();
		}
		return new QueueLimits(globalConcurrency, keyConcurrency, rate);
	}

	private ReplayResult replayJob(long id) {
		refuseUnlessDead(id);
		if (this.queue.retryDead(id)) {
			return new ReplayResult(1);
		}
		// it was dead a moment ago: another caller changed it since, or its unique key is taken
		Job job = refuseUnlessDead(id);
		if (job.uniqueKey() != null) {
			throw new ReplayRefusedException(ReplayRefusedException.Reason.UNIQUE_KEY_HELD,
					"job " + id + " keeps its unique key '" + job.uniqueKey() + "', which another job holds until it"
							+ " finishes: replay it then, or cancel that job");
		}
		throw new ReplayRefusedException(ReplayRefusedException.Reason.NOT_DEAD, "job " + id + " was not replayed");
	}

	private Job refuseUnlessDead(long id) {
		Job job = this.queue.find(id)
			.orElseThrow(() -> new ReplayRefusedException(ReplayRefusedException.Reason.NO_SUCH_JOB, "no job " + id));
		if (job.state() != JobState.DEAD) {
			throw new ReplayRefusedException(ReplayRefusedException.Reason.NOT_DEAD,
					"job " + id + " is " + job.state() + ", only DEAD jobs can be replayed");
		}
		return job;
	}

	private static InvalidEndpointRequestException invalid(String message) {
		return new InvalidEndpointRequestException(message, message);
	}

	/**
	 * Counts and the dead letter.
	 *
	 * @param queues job counts by queue, then by state
	 * @param controls every queue that was paused or given limits, by name
	 * @param dead a page of dead jobs, oldest id first
	 * @param nextAfterId the {@code afterId} of the next page, or {@code null} on the last page
	 * @param nodes the worker nodes, alive or gone within the last hour
	 */
	public record QueuesReport(Map<String, Map<String, Long>> queues, Map<String, QueueControlView> controls,
			List<JobSummary> dead, Long nextAfterId, List<NodeStatus> nodes) {
	}

	/**
	 * How a queue is steered across the cluster.
	 *
	 * @param queue the queue
	 * @param paused whether no node claims its jobs
	 * @param globalConcurrency the most of its jobs running at once on all nodes, or {@code null}
	 * @param keyConcurrency the most jobs of one concurrency key running at once, or {@code null}
	 * @param rateLimit the most job starts per period, such as {@code 100/PT1M}, or {@code null}
	 * @param rateLimitPerKey whether the rate limit holds for each concurrency key apart
	 */
	public record QueueControlView(String queue, boolean paused, Integer globalConcurrency, Integer keyConcurrency,
			String rateLimit, boolean rateLimitPerKey) {

		static QueueControlView of(QueueControl control) {
			QueueLimits limits = control.limits();
			RateLimit rate = limits.rateLimit();
			return new QueueControlView(control.queue(), control.paused(), limits.globalConcurrency(),
					limits.keyConcurrency(), (rate != null) ? rate.starts() + "/" + rate.period() : null,
					rate != null && rate.perKey());
		}

	}

	/**
	 * A job in a list.
	 *
	 * @param id the job id
	 * @param queue its queue
	 * @param type its type
	 * @param state its state
	 * @param attempt attempts made
	 * @param maxAttempts attempts allowed
	 * @param lastError the first line of the last failure (the job's own page has the stack trace)
	 * @param createdAt when it was enqueued
	 * @param finishedAt when it finished
	 */
	public record JobSummary(long id, String queue, String type, String state, int attempt, int maxAttempts,
			@Nullable String lastError, Instant createdAt, @Nullable Instant finishedAt) {

		static JobSummary of(Job job) {
			return new JobSummary(job.id(), job.queue(), job.type(), job.state().name(), job.attempt(),
					job.maxAttempts(), firstLine(job.lastError()), job.createdAt(), job.finishedAt());
		}

		static @Nullable String firstLine(@Nullable String error) {
			if (error == null) {
				return null;
			}
			int newline = error.indexOf('\n');
			return (newline < 0) ? error : error.substring(0, newline).stripTrailing() + " …";
		}

	}

	/**
	 * One job in full.
	 *
	 * @param id the job id
	 * @param queue its queue
	 * @param type its type
	 * @param state its state
	 * @param payload the payload JSON
	 * @param metadata the enqueue metadata
	 * @param priority its priority
	 * @param runAt not run before
	 * @param attempt attempts made
	 * @param maxAttempts attempts allowed
	 * @param lockedBy the worker running it
	 * @param lockedUntil the end of its lease
	 * @param uniqueKey its unique key
	 * @param lastError the last failure
	 * @param createdAt when it was enqueued
	 * @param finishedAt when it finished
	 * @param parentId the job it waits for
	 * @param result the result JSON the handler wrote
	 * @param logs the lines the handler logged
	 */
	public record JobDetails(long id, String queue, String type, String state, String payload,
			Map<String, String> metadata, int priority, Instant runAt, int attempt, int maxAttempts, String lockedBy,
			Instant lockedUntil, String uniqueKey, String lastError, Instant createdAt, Instant finishedAt,
			Long parentId, String result, List<String> logs) {

		static JobDetails of(Job job) {
			return new JobDetails(job.id(), job.queue(), job.type(), job.state().name(), job.payload(), job.metadata(),
					job.priority(), job.runAt(), job.attempt(), job.maxAttempts(), job.lockedBy(), job.lockedUntil(),
					job.uniqueKey(), job.lastError(), job.createdAt(), job.finishedAt(), job.parentId(), job.result(),
					job.logs());
		}

	}

	/** Why a job cannot be replayed: over HTTP a 404 or 409 whose body says so. */
	public static class ReplayRefusedException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		/** What stands in the way. */
		public enum Reason {

			/** No job has the id. */
			NO_SUCH_JOB,
			/** The job is not DEAD. */
			NOT_DEAD,
			/** Another job that has not finished holds the dead job's unique key. */
			UNIQUE_KEY_HELD

		}

		private final Reason reason;

		ReplayRefusedException(Reason reason, String message) {
			super(message);
			this.reason = reason;
		}

		/** What stands in the way. */
		public Reason reason() {
			return this.reason;
		}

	}

	/**
	 * What a replay did.
	 *
	 * @param replayed how many dead jobs became READY again
	 */
	public record ReplayResult(int replayed) {
	}

}
