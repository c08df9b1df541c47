package io.sqlqueue.suite;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.internal.notify.Notification;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.HandlerSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL wakes idle workers in other processes: an enqueue through a queue object the worker
 * does not share (so no in-process wake-up reaches it) starts the job long before the worker's
 * ten-minute poll would.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = "POSTGRESQL")
class NotificationWakeUpTests {

	record Note(String text) {
	}

	/** A second queue of the worker's, asleep like the first until a notification names it. */
	private static final String OTHER_QUEUE = "other";

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobQueue elsewhere;

	JdbcJobQueue workerQueue;

	DataSource dataSource;

	final List<String> ran = new CopyOnWriteArrayList<>();

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.dataSource = this.fixture.dataSource();
		this.workerQueue = this.fixture.queue();
		this.elsewhere = this.fixture.otherNode();
		this.fixture.start(this.fixture.worker(this.workerQueue)
			.defaults(QueueFixture.FAST.withPollInterval(Duration.ofMinutes(10)))
			.handler(HandlerSpec.of("note", Note.class, (payload, ctx) -> this.ran.add(payload.text())))
			.handler(HandlerSpec.of("other-note", Note.class, (payload, ctx) -> this.ran.add(payload.text()))
				.onQueue(OTHER_QUEUE)));
		// the first job may be claimed by the worker's first poll; the ones after it need a notification
		this.elsewhere.enqueue("note", new Note("first"), EnqueueOptions.defaults());
		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("first"));
	}

	@AfterEach
	void tearDown() {
		this.fixture.close();
	}

	@Test
	void aDueJobEnqueuedElsewhereWakesTheIdleWorker() {
		this.elsewhere.enqueue("note", new Note("plain"), EnqueueOptions.defaults());

		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("plain"));
	}

	@Test
	void aJobWithANewUniqueKeyWakesTheIdleWorker() {
		this.elsewhere.enqueue("note", new Note("unique"), EnqueueOptions.defaults().withUniqueKey("note-1"));

		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("unique"));
	}

	@Test
	void aJobEnqueuedInATransactionWakesTheIdleWorkerOnCommit() {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		transaction.executeWithoutResult((status) -> {
			this.elsewhere.enqueue("note", new Note("rolled back"), EnqueueOptions.defaults());
			status.setRollbackOnly();
		});
		transaction.executeWithoutResult(
				(status) -> this.elsewhere.enqueue("note", new Note("committed"), EnqueueOptions.defaults()));

		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("committed"));
		assertThat(this.ran).doesNotContain("rolled back");
	}

	@Test
	void aClosedQueueStillWakesTheIdleWorkerFromTheEnqueuingThread() {
		this.elsewhere.enqueue("note", new Note("before close"), EnqueueOptions.defaults());
		this.elsewhere.close();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("before close"));

		this.elsewhere.enqueue("note", new Note("after close"), EnqueueOptions.defaults());

		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("after close"));
	}

	@Test
	void aWorkerIgnoresNotificationsFromItsOwnQueueObjectWhichWakesItDirectly() {
		// READY, but no notification and no direct wake reach the worker, whose poll is ten minutes off
		JdbcJobQueue silent = JdbcJobQueue.builder(this.dataSource).notifications(false).build();
		long quiet = silent.enqueue("note", new Note("quiet"), EnqueueOptions.defaults());
		silent.enqueue("other-note", new Note("on the other queue"), EnqueueOptions.defaults().withQueue(OTHER_QUEUE));

		notify("default " + Internals.services(this.workerQueue).notificationOrigin());
		notify(OTHER_QUEUE + " " + Internals.services(this.elsewhere).notificationOrigin());
		// one connection hands the worker its notifications in order: once the second has woken the other
		// queue, the first had been handled
		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("on the other queue"));
		assertThat(this.ran).as("a notification from the worker's own queue object").doesNotContain("quiet");
		assertThat(this.fixture.job(quiet).attempt()).as("never claimed").isZero();

		notify("default " + Internals.services(this.elsewhere).notificationOrigin());
		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("quiet"));

		silent.enqueue("note", new Note("named by queue alone"), EnqueueOptions.defaults());
		notify("default");
		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("named by queue alone"));
	}

	@Test
	void aJobEnqueuedWhileTheWorkersNotificationConnectionIsDownRunsOnceItIsBack() throws Exception {
		JdbcTemplate admin = new JdbcTemplate(this.dataSource);
		String listen = "LISTEN \"" + channel() + "\"";
		String listenerBackend = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = ?"
				+ " ORDER BY backend_start DESC LIMIT 1";
		await().atMost(Duration.ofSeconds(10)).until(() -> !admin.queryForList(listenerBackend, Integer.class, listen).isEmpty());
		admin.queryForList("SELECT pg_terminate_backend(?)", admin.queryForObject(listenerBackend, Integer.class, listen));
		// the listener waits half a second before it connects again: this job is committed before that,
		// and the notification-less queue object sends nothing for it
		JdbcJobQueue.builder(this.dataSource).notifications(false).build()
			.enqueue("note", new Note("while away"), EnqueueOptions.defaults());

		await().atMost(Duration.ofSeconds(30)).until(() -> this.ran.contains("while away"));
	}

	private void notify(String payload) {
		new JdbcTemplate(this.dataSource).queryForList("SELECT pg_notify(?, ?)", channel(), payload);
	}

	private String channel() {
		return Notification.channel(Internals.store(this.workerQueue).tablePrefix());
	}

	@Test
	void aBurstOfEnqueuesFromSeveralThreadsRunsEveryJob() throws Exception {
		int threads = 4;
		int each = 50;
		Thread[] enqueuers = new Thread[threads];
		for (int t = 0; t < threads; t++) {
			int thread = t;
			enqueuers[t] = new Thread(() -> {
				for (int n = 0; n < each; n++) {
					this.elsewhere.enqueue("note", new Note("burst " + thread + "-" + n), EnqueueOptions.defaults());
				}
			});
			enqueuers[t].start();
		}
		for (Thread enqueuer : enqueuers) {
			enqueuer.join();
		}

		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.ran.stream().filter((text) -> text.startsWith("burst ")).count() == threads * each);
	}

}
