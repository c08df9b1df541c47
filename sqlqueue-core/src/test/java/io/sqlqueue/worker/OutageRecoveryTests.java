package io.sqlqueue.worker;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A queue whose claims failed while the database was away backs off (up to ten poll intervals here),
 * but as soon as another of the worker's calls succeeds again, it claims at once rather than
 * waiting out that backoff. The database is taken away by refusing connections, which behaves the
 * same on every database, so H2 serves.
 */
class OutageRecoveryTests {

	/** So long that only a wake-up, never the poll or the backoff, can explain a prompt claim. */
	private static final Duration POLL = Duration.ofSeconds(10);

	final SwitchableDataSource dataSource = new SwitchableDataSource(TestDatabases.fresh(TestDatabase.H2));

	final CountDownLatch releaseFirst = new CountDownLatch(1);

	JdbcJobQueue jobs;

	JobWorker worker;

	record Work(int number) {
	}

	@BeforeEach
	void setUp() {
		this.jobs = JdbcJobQueue.builder(this.dataSource).build();
	}

	@AfterEach
	void tearDown() {
		this.dataSource.down = false;
		this.releaseFirst.countDown();
		if (this.worker != null) {
			this.worker.stop(Duration.ofSeconds(5));
		}
	}

	@Test
	void aQueueBackingOffAfterFailedClaimsClaimsAgainOnceAnotherCallSucceeds() throws Exception {
		CountDownLatch firstStarted = new CountDownLatch(1);
		CountDownLatch secondStarted = new CountDownLatch(1);
		this.worker = JobWorker.builder(this.jobs)
			.queue("q", QueueSettings.defaults().withConcurrency(2).withPollInterval(POLL))
			.handler(HandlerSpec.of("work", Work.class, (work, ctx) -> {
				if (work.number() == 1) {
					firstStarted.countDown();
					this.releaseFirst.await();
				}
				else {
					secondStarted.countDown();
				}
			}).onQueue("q"))
			.maintenance(false)
			.build();
		this.worker.start();
		EnqueueOptions options = EnqueueOptions.defaults().withQueue("q");
		this.jobs.enqueue("work", new Work(1), options);
		this.worker.wake("q");
		assertThat(firstStarted.await(30, TimeUnit.SECONDS)).as("first job started").isTrue();

		// the database goes away and the queue's next claim fails: it backs off for a poll interval or more
		this.dataSource.down = true;
		int refusedBefore = this.dataSource.refused.get();
		this.worker.wake("q");
		await("the claim refused").atMost(Duration.ofSeconds(10))
			.until(() -> this.dataSource.refused.get() > refusedBefore);
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.worker.health().databaseReachable());

		// back again: a job enqueued elsewhere (no in-process wake-up) waits, and the first job's
		// success is the worker's first call to get through
		this.dataSource.down = false;
		JdbcJobQueue.builder(this.dataSource.getTargetDataSource()).build().enqueue("work", new Work(2), options);
		long back = System.nanoTime();
		this.releaseFirst.countDown();

		assertThat(secondStarted.await(POLL.toSeconds() - 2, TimeUnit.SECONDS))
			.as("the second job started before the queue's backoff or its poll would have claimed it")
			.isTrue();
		long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
		assertThat(waitedMillis).as("ms from the database's return to the second job's start")
			.isLessThan(POLL.toMillis() / 2);
		assertThat(this.worker.health().isHealthy()).isTrue();
	}

	/** Refuses every new connection while {@link #down}, as a pool does when its database is gone. */
	static final class SwitchableDataSource extends DelegatingDataSource {

		volatile boolean down;

		final AtomicInteger refused = new AtomicInteger();

		SwitchableDataSource(DataSource target) {
			super(target);
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.down) {
				this.refused.incrementAndGet();
				throw new SQLTransientConnectionException("Connection is not available: the database is away (test)");
			}
			return super.getConnection();
		}

	}

}
