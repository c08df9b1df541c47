package io.sqlqueue.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.worker.JobWorker;

/**
 * The application's own traffic holds every connection of the pool it shares with the queue for half a minute:
 * enqueues fail within the pool's connection timeout with an error that says so and write nothing, the worker
 * backs off without flooding the log and reports the database unreachable, and once the pool frees the jobs that
 * came due meanwhile run without anyone's help, none lost.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB", "H2" })
class ExhaustedPoolTests {

	private static final int POOL_SIZE = 6;

	private static final Duration POOL_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration HOLD = Duration.ofSeconds(30);

	@Parameter
	TestDatabase db;

	private HikariDataSource pool;

	private JobWorker worker;

	private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

	private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

	@BeforeEach
	void setUp() {
		TestDatabases.fresh(this.db);
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(TestDatabases.jdbcUrl(this.db));
		config.setPoolName("shared-with-the-app");
		config.setMaximumPoolSize(POOL_SIZE);
		config.setConnectionTimeout(POOL_TIMEOUT.toMillis());
		this.pool = new HikariDataSource(config);
		this.logged.start();
		this.root.addAppender(this.logged);
	}

	@AfterEach
	void tearDown() {
		this.root.detachAppender(this.logged);
		if (this.worker != null) {
			this.worker.stop(Duration.ofSeconds(10));
		}
		this.pool.close();
	}

	@Test
	void enqueuesFailFastWorkersBackOffAndEverythingRunsOnceThePoolFrees() throws Exception {
		JdbcJobQueue queue = JdbcJobQueue.builder(this.pool).build();
		List<Long> ran = new CopyOnWriteArrayList<>();
		this.worker = JobWorker.builder(queue)
			.queue("default", QueueFixture.FAST.withConcurrency(4))
			.handler("work", Map.class, (payload, ctx) -> ran.add(ctx.id()))
			.build();
		this.worker.start();
		long first = queue.enqueue("work", Map.of());
		await().atMost(QueueFixture.PATIENCE).until(() -> ran.contains(first));
		// due while the application holds the pool
		EnqueueOptions inThreeSeconds = EnqueueOptions.defaults().withRunAt(Instant.now().plusSeconds(3));
		List<Long> dueDuringTheHold = queue.enqueueAll(List.of(JobRequest.of("work", Map.of("n", 1), inThreeSeconds),
				JobRequest.of("work", Map.of("n", 2), inThreeSeconds), JobRequest.of("work", Map.of("n", 3), inThreeSeconds)));
		long jobsBefore = queue.count(null, null);

		Hog hog = new Hog(this.pool);
		hog.start();
		// the PostgreSQL listener keeps one connection of its own from the pool
		int forTheApplication = POOL_SIZE - ((this.db == TestDatabase.POSTGRESQL) ? 1 : 0);
		await().atMost(QueueFixture.PATIENCE).until(() -> hog.held() == forTheApplication);
		long heldAt = System.nanoTime();
		int warningsBefore = warnings();

		long started = System.nanoTime();
		Throwable refused = catchThrowable(() -> queue.enqueue("work", Map.of("during", "hold")));
		Duration waited = Duration.ofNanos(System.nanoTime() - started);
		Throwable refusedAll = catchThrowable(() -> queue.enqueueAll(List.of(JobRequest.of("work", Map.of("a", 1)),
				JobRequest.of("work", Map.of("b", 2)))));

		assertThat(refused).isInstanceOf(DataAccessResourceFailureException.class)
			.hasMessageContaining("no connection from the DataSource within")
			.hasMessageContaining("shared-with-the-app");
		assertThat(refusedAll).isInstanceOf(DataAccessResourceFailureException.class)
			.hasMessageContaining("could not enqueue 2 jobs (nothing was written)");
		assertThat(waited).as("fails within the pool's timeout").isLessThan(POOL_TIMEOUT.plusSeconds(2));
		await().atMost(QueueFixture.PATIENCE).until(() -> !this.worker.health().databaseReachable());
		assertThat(this.worker.health().lastError()).contains("Connection is not available");

		long left = HOLD.toNanos() - (System.nanoTime() - heldAt);
		if (left > 0) {
			// the application's traffic: the test has nothing to observe but the time passing
			Thread.sleep(left / 1_000_000);
		}
		int warningsDuringHold = warnings() - warningsBefore;
		hog.release();
		Duration held = Duration.ofNanos(System.nanoTime() - heldAt);
		long freed = System.nanoTime();

		await().atMost(QueueFixture.PATIENCE).until(() -> ran.containsAll(dueDuringTheHold));
		Duration resumed = Duration.ofNanos(System.nanoTime() - freed);
		await().atMost(QueueFixture.PATIENCE).until(() -> this.worker.health().databaseReachable());
		System.out.printf("exhausted pool on %s: held %d ms, enqueue refused after %d ms, %d WARN lines while held,"
				+ " jobs due meanwhile all ran %d ms after the pool freed%n", this.db, held.toMillis(), waited.toMillis(),
				warningsDuringHold, resumed.toMillis());
		assertThat(warningsDuringHold).as("a worker backing off, not a log storm").isLessThanOrEqualTo(12);
		assertThat(queue.count(null, null)).as("nothing half-written").isEqualTo(jobsBefore);
		for (long id : dueDuringTheHold) {
			assertThat(queue.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
		}
		assertThat(queue.count(null, JobState.SUCCEEDED)).isEqualTo(jobsBefore);
	}

	private int warnings() {
		return (int) this.logged.list.stream().filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN)).count();
	}

	/** The application's traffic: takes every connection it can get and keeps it until released. */
	private static final class Hog extends Thread {

		private final HikariDataSource pool;

		private final List<Connection> connections = new ArrayList<>();

		private volatile boolean releasing;

		Hog(HikariDataSource pool) {
			super("application-traffic");
			this.pool = pool;
			setDaemon(true);
		}

		@Override
		public void run() {
			while (!this.releasing) {
				try {
					Connection connection = this.pool.getConnection();
					synchronized (this.connections) {
						this.connections.add(connection);
					}
				}
				catch (SQLException timedOut) {
					// everything is taken: wait for the next connection to come back
				}
			}
		}

		int held() {
			synchronized (this.connections) {
				return this.connections.size();
			}
		}

		void release() throws Exception {
			this.releasing = true;
			join();
			synchronized (this.connections) {
				for (Connection connection : this.connections) {
					connection.close();
				}
			}
		}

	}

}
