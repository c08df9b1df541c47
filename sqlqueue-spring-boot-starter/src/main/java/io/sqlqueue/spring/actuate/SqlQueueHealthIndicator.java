package io.sqlqueue.spring.actuate;

import java.util.Optional;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.JobHandlerRegistry;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.WorkerHealth;

/**
 * Health of sqlqueue ({@code sqlqueue}): DOWN when the database cannot be reached, or when the
 * worker's own database calls are failing (it reports the last error); UP otherwise, with the
 * worker's id, queues and state as details.
 */
public class SqlQueueHealthIndicator extends AbstractHealthIndicator {

	private final JdbcJobQueue queue;

	private final JobHandlerRegistry handlers;

	/** A health indicator that checks {@code queue}'s database and the worker {@code handlers} runs, if any. */
	public SqlQueueHealthIndicator(JdbcJobQueue queue, JobHandlerRegistry handlers) {
		super("sqlqueue health check failed");
		this.queue = queue;
		this.handlers = handlers;
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
