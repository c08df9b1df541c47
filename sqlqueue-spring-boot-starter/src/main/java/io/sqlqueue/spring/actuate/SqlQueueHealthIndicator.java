package io.sqlqueue.spring.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.QueueControl;
import io.sqlqueue.UnhandledJobs;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.WorkerHealth;

/**
 * Health of sqlqueue ({@code sqlqueue}): DOWN when the database cannot be reached, when the worker's own
 * database calls are failing (it reports the last error), or when the outcomes of its finished runs are not
 * being written; UP otherwise, with the worker's id, queues and state as details, and the due jobs no running
 * node can run ({@code unhandledJobs}) and the paused queues ({@code pausedQueues}) when there are any, and on
 * PostgreSQL the session holding a snapshot older than {@code sqlqueue.worker.snapshot-warning-age}
 * ({@code heldSnapshot}), which keeps vacuum from removing dead rows.
 */
public class SqlQueueHealthIndicator extends AbstractHealthIndicator {

	private final JdbcJobQueue queue;

	private final JobHandlerRegistry handlers;

	private final Duration unhandledAfter;

	private final Duration snapshotWarningAge;

	/**
	 * A health indicator that checks {@code queue}'s database and the worker {@code handlers} runs, if any, and
	 * lists the due jobs no running node can run once they waited {@code unhandledAfter}, and the session holding
	 * a snapshot older than {@code snapshotWarningAge}.
	 */
	public SqlQueueHealthIndicator(JdbcJobQueue queue, JobHandlerRegistry handlers, Duration unhandledAfter,
			Duration snapshotWarningAge) {
		super("sqlqueue health check failed");
		this.queue = queue;
		this.handlers = handlers;
		this.unhandledAfter = unhandledAfter;
		this.snapshotWarningAge = snapshotWarningAge;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("database", this.queue.database());
		try {
			this.queue.databaseTime();
		}
		catch (RuntimeException ex) {
			builder.down(ex).withDetail("reason", "database unreachable");
			addWorkerDetails(builder, this.handlers.worker());
			return;
		}
		Optional<JobWorker> worker = this.handlers.worker();
		WorkerHealth health = worker.map(JobWorker::health).orElse(null);
		if (health != null && !health.databaseReachable()) {
			builder.down().withDetail("reason", "worker database calls failing");
		}
		else if (health != null && health.outcomesStalled()) {
			builder.down().withDetail("reason", "the outcomes of finished runs are not being written");
		}
		else {
			builder.up();
		}
		addWorkerDetails(builder, worker);
		List<String> paused = this.queue.queueControls().stream().filter(QueueControl::paused).map(QueueControl::queue).toList();
		if (!paused.isEmpty()) {
			// a detail, not DOWN: an operator paused them on purpose
			builder.withDetail("pausedQueues", paused);
		}
		List<UnhandledJobs> unhandled = this.queue.unhandledJobs(this.unhandledAfter);
		if (!unhandled.isEmpty()) {
			// a detail, not DOWN: this node is fine, and restarting it would not run those jobs
			builder.withDetail("unhandledJobs", unhandled.stream()
				.map((jobs) -> Map.of("queue", jobs.queue(), "type", jobs.type(), "jobs", jobs.jobs(), "oldestWaiting",
						jobs.oldestWaiting().toString()))
				.toList());
		}
		// a detail, not DOWN either: the queue still runs, slower, and the cure is ending the other session
		this.queue.oldestSnapshot()
			.filter((held) -> held.age().compareTo(this.snapshotWarningAge) >= 0)
			.ifPresent((held) -> builder.withDetail("heldSnapshot",
					Map.of("pid", held.pid(), "applicationName", held.applicationName(), "state",
							(held.state() != null) ? held.state() : "not visible", "age", held.age().toString(),
							"since", held.since().toString())));
	}

	private static void addWorkerDetails(Health.Builder builder, Optional<JobWorker> worker) {
		if (worker.isEmpty()) {
			builder.withDetail("worker", "not running");
			return;
		}
		JobWorker w = worker.get();
		WorkerHealth health = w.health();
		builder.withDetail("worker", w.workerId())
			.withDetail("queues", w.queueNames())
			.withDetail("outcomesWaiting", health.outcomesWaiting())
			.withDetail("oldestOutcomeWaiting", health.oldestOutcomeWaiting().toString());
		if (health.lastError() != null) {
			builder.withDetail("lastError", health.lastError()).withDetail("lastErrorAt", health.lastErrorAt());
		}
		if (health.lastSuccessAt() != null) {
			builder.withDetail("lastSuccessAt", health.lastSuccessAt());
		}
	}

}
