package io.sqlqueue.suite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * The workers a test started, stopped after it whatever its outcome, so that no handler thread of
 * one test claims the jobs of the next.
 */
final class RunningWorkers implements AutoCloseable {

	/** Settings that keep tests fast: 50 ms polling, the shortest lease the engine accepts. */
	static final QueueSettings FAST = QueueSettings.defaults()
		.withPollInterval(Duration.ofMillis(50))
		.withLease(Duration.ofSeconds(1))
		.withConcurrency(2);

	private final List<JobWorker> workers = new ArrayList<>();

	/** Builds a worker on {@code queue} with fast defaults, customised by {@code config}, and starts it. */
	JobWorker start(JdbcJobQueue queue, UnaryOperator<JobWorker.Builder> config) {
		JobWorker worker = config.apply(JobWorker.builder(queue).defaults(FAST)).build();
		synchronized (this.workers) {
			this.workers.add(worker);
		}
		worker.start();
		return worker;
	}

	@Override
	public void close() {
		List<JobWorker> started;
		synchronized (this.workers) {
			started = new ArrayList<>(this.workers);
			this.workers.clear();
		}
		for (JobWorker worker : started) {
			worker.stop(Duration.ofSeconds(5));
		}
	}

}
