package io.sqlqueue.features;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * An empty, migrated schema on one test database, queues built on it, and the workers a test
 * started, all stopped when the test ends.
 */
final class FeatureFixture implements AutoCloseable {

	/** Queue settings that keep tests fast: short polls, short retries. */
	static final QueueSettings FAST = QueueSettings.defaults()
		.withConcurrency(4)
		.withPollInterval(Duration.ofMillis(50))
		.withLease(Duration.ofSeconds(30))
		.withBackoff(Backoff.constant(Duration.ofMillis(100)));

	/** How long a test waits for something the worker does. */
	static final Duration PATIENCE = Duration.ofSeconds(30);

	final TestDatabase db;

	final DataSource dataSource;

	final JdbcJobQueue queue;

	private final List<JobWorker> workers = new ArrayList<>();

	private FeatureFixture(TestDatabase db, UnaryOperator<JdbcJobQueue.Builder> customizer) {
		this.db = db;
		this.dataSource = TestDatabases.fresh(db);
		this.queue = customizer.apply(JdbcJobQueue.builder(this.dataSource)).build();
	}

	static FeatureFixture fresh(TestDatabase db) {
		return new FeatureFixture(db, UnaryOperator.identity());
	}

	static FeatureFixture fresh(TestDatabase db, UnaryOperator<JdbcJobQueue.Builder> customizer) {
		return new FeatureFixture(db, customizer);
	}

	/** Another node's queue on the same database. */
	JdbcJobQueue otherNode() {
		return JdbcJobQueue.builder(this.dataSource).build();
	}

	/** A worker builder on this fixture's queue with fast default settings and no maintenance. */
	JobWorker.Builder worker() {
		return worker(this.queue);
	}

	JobWorker.Builder worker(JdbcJobQueue node) {
		return JobWorker.builder(node).defaults(FAST).maintenance(false);
	}

	/** Builds and starts a worker; it is stopped when the test ends. */
	JobWorker start(JobWorker.Builder builder) {
		JobWorker worker = builder.build();
		this.workers.add(worker);
		worker.start();
		return worker;
	}

	Job job(long id) {
		return this.queue.find(id).orElseThrow(() -> new AssertionError("job " + id + " does not exist"));
	}

	JobState state(long id) {
		return job(id).state();
	}

	/** Waits until job {@code id} is in {@code state}, and returns it. */
	Job awaitState(long id, JobState state) {
		await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> state(id) == state);
		return job(id);
	}

	/** Jobs in the table, all queues and states. */
	long jobCount() {
		return this.queue.count(null, null);
	}

	@Override
	public void close() {
		for (JobWorker worker : this.workers) {
			worker.stop(Duration.ofSeconds(5));
		}
	}

}
