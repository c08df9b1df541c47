package io.sqlqueue.spring.actuate;

import java.time.Duration;
import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;

/**
 * Counts and times what happens to jobs on this node:
 * <ul>
 * <li>{@code sqlqueue.jobs.enqueued} (queue, type): jobs inserted;</li>
 * <li>{@code sqlqueue.jobs.completed} (queue, type, outcome = succeeded | retried | snoozed | dead | cancelled):
 * runs whose outcome was recorded;</li>
 * <li>{@code sqlqueue.jobs.held.back} (queue, limit = global | key | rate): jobs this node had room for but did not
 * claim because a limit of the queue held them back (with {@code rate}, the waits of a rate-limited queue);</li>
 * <li>{@code sqlqueue.job.execution} timer (queue, type, outcome): how long handlers ran;</li>
 * <li>{@code sqlqueue.job.wait} timer (queue): from when a job was due to when it started.</li>
 * </ul>
 */
public class SqlQueueMetrics implements JobEventListener {

	/** Counter of enqueued jobs. */
	public static final String ENQUEUED = "sqlqueue.jobs.enqueued";

	/** Counter of recorded outcomes. */
	public static final String COMPLETED = "sqlqueue.jobs.completed";

	/** Counter of jobs held back by a limit of their queue. */
	public static final String HELD_BACK = "sqlqueue.jobs.held.back";

	/** Timer of handler runs. */
	public static final String EXECUTION = "sqlqueue.job.execution";

	/** Timer of the wait from due to start. */
	public static final String WAIT = "sqlqueue.job.wait";

	private final MeterRegistry registry;

	/**
	 * Metrics recorded in {@code registry} as jobs are enqueued, started and finished; as a bean, it is added to
	 * the auto-configured queue as a {@link JobEventListener}.
	 */
	public SqlQueueMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void jobEnqueued(String queue, String type) {
		Counter.builder(ENQUEUED)
			.description("Jobs enqueued")
			.tag("queue", queue)
			.tag("type", type)
			.register(this.registry)
			.increment();
	}

	@Override
	public void jobsHeldBack(String queue, String limit, int jobs) {
		Counter.builder(HELD_BACK)
			.description("Jobs a node had room for but did not claim because a limit of their queue held them back")
			.tag("queue", queue)
			.tag("limit", limit)
			.register(this.registry)
			.increment(jobs);
	}

	@Override
	public void jobStarted(Job job, Duration waited) {
		Timer.builder(WAIT)
			.description("Time from when a job was due to when a worker started it")
			.tag("queue", job.queue())
			.register(this.registry)
			.record(waited);
	}

	@Override
	public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
		String tag = outcome.name().toLowerCase(Locale.ROOT);
		Counter.builder(COMPLETED)
			.description("Job runs whose outcome was recorded")
			.tag("queue", job.queue())
			.tag("type", job.type())
			.tag("outcome", tag)
			.register(this.registry)
			.increment();
		Timer.builder(EXECUTION)
			.description("How long job handlers ran")
			.tag("queue", job.queue())
			.tag("type", job.type())
			.tag("outcome", tag)
			.register(this.registry)
			.record(execution);
	}

}
