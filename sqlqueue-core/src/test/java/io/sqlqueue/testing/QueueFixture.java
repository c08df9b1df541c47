package io.sqlqueue.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobState;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * An empty, migrated schema on one test database, a queue built on it, and the workers a test started,
 * all stopped when the test ends, whatever its outcome, so that no handler thread of one test claims the
 * jobs of the next.
 *
 * <pre>{@code
 * @ParameterizedClass
 * @EnumSource(TestDatabase.class)
 * class SomeTests {
 *     @Parameter TestDatabase db;
 *     QueueFixture fixture;
 *     @BeforeEach void setUp() { fixture = QueueFixture.fresh(db); }
 *     @AfterEach void tearDown() { fixture.close(); }
 *
 *     @Test void runsAJob() {
 *         fixture.start(fixture.worker().handler("greet", String.class, (name, ctx) -> { }));
 *         fixture.awaitState(fixture.queue().enqueue("greet", "Ada"), JobState.SUCCEEDED);
 *     }
 * }
 * }</pre>
 */
public final class QueueFixture implements AutoCloseable {

	/** Queue settings that keep tests fast: 50 ms polls, retries after 100 ms, a lease no test outlasts. */
	public static final QueueSettings FAST = QueueSettings.defaults()
		.withConcurrency(4)
		.withPollInterval(Duration.ofMillis(50))
		.withLease(Duration.ofSeconds(30))
		.withBackoff(Backoff.constant(Duration.ofMillis(100)));

	/** {@link #FAST} with the shortest lease the engine accepts and two handler threads: for tests of leases. */
	public static final QueueSettings SHORT_LEASE = FAST.withConcurrency(2).withLease(Duration.ofSeconds(1));

	/** How long a test waits for something the worker does. */
	public static final Duration PATIENCE = Duration.ofSeconds(30);

	private final TestDatabase db;

	private final DataSource dataSource;

	private final JdbcJobQueue queue;

	private final List<JobWorker> workers = new ArrayList<>();

	private QueueFixture(TestDatabase db, UnaryOperator<JdbcJobQueue.Builder> customizer) {
		this.db = db;
		this.dataSource = TestDatabases.fresh(db);
		this.queue = customizer.apply(JdbcJobQueue.builder(this.dataSource)).build();
	}

	/** Empties {@code db}, migrates it, and builds a queue on it. Stop the previous test's fixture first. */
	public static QueueFixture fresh(TestDatabase db) {
		return new QueueFixture(db, UnaryOperator.identity());
	}

	/** As {@link #fresh(TestDatabase)}, with the queue built as {@code customizer} says (listeners, ...). */
	public static QueueFixture fresh(TestDatabase db, UnaryOperator<JdbcJobQueue.Builder> customizer) {
		return new QueueFixture(db, customizer);
	}

	public TestDatabase db() {
		return this.db;
	}

	public DataSource dataSource() {
		return this.dataSource;
	}

	/** The fixture's queue object. */
	public JdbcJobQueue queue() {
		return this.queue;
	}

	/** Another node's queue object on the same database: it shares no in-process wake-ups with {@link #queue()}. */
	public JdbcJobQueue otherNode() {
		return JdbcJobQueue.builder(this.dataSource).build();
	}

	/** A worker builder on the fixture's queue with {@link #FAST} settings and no maintenance. */
	public JobWorker.Builder worker() {
		return worker(this.queue);
	}

	/** A worker builder on {@code node} with {@link #FAST} settings and no maintenance. */
	public JobWorker.Builder worker(JdbcJobQueue node) {
		return JobWorker.builder(node).defaults(FAST).maintenance(false);
	}

	/** Builds and starts a worker; it is stopped when the test ends. */
	public JobWorker start(JobWorker.Builder builder) {
		JobWorker worker = builder.build();
		synchronized (this.workers) {
			this.workers.add(worker);
		}
		worker.start();
		return worker;
	}

	/** Job {@code id} as it is now. */
	public Job job(long id) {
		return this.queue.find(id).orElseThrow(() -> new AssertionError("job " + id + " does not exist"));
	}

	public JobState state(long id) {
		return job(id).state();
	}

	/** Waits until job {@code id} is in {@code state}, and returns it. */
	public Job awaitState(long id, JobState state) {
		await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> state(id) == state);
		return job(id);
	}

	/** Jobs in the table, all queues and states. */
	public long jobCount() {
		return this.queue.count(null, null);
	}

	/** Stops every worker the test started. */
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
