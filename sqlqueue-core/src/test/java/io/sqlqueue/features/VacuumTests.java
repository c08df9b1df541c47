package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.MaintenanceSettings;

/**
 * The vacuum of the job table: on PostgreSQL the dead row versions that finished and deleted jobs
 * leave behind are reclaimed, by hand, on the worker's schedule or, by default, once there are
 * many, unless the node's user may not vacuum the table, which it is told once; elsewhere there is
 * nothing to vacuum and the setting is ignored.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class VacuumTests {

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
	}

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void vacuumReclaimsTheDeadRowsOfRunAndDeletedJobsOnPostgres() {
		this.fixture.start(this.fixture.worker().handler("work", String.class, (name, ctx) -> {
		}));
		for (int n = 0; n < 50; n++) {
			long id = this.fixture.queue()
				.enqueue("work", "job " + n, EnqueueOptions.defaults().withRetention(Duration.ZERO));
			this.fixture.awaitState(id, JobState.SUCCEEDED);
		}
		Maintenance maintenance = Internals.maintenance(Internals.store(this.fixture.queue()), Duration.ofHours(1),
				Duration.ofHours(1), Retention.DEFAULT, Duration.ofHours(1), 0);
		assertThat(maintenance.clean()).isEqualTo(50);

		boolean vacuumed = maintenance.vacuum();

		assertThat(vacuumed).isEqualTo(this.db == TestDatabase.POSTGRESQL);
		if (this.db == TestDatabase.POSTGRESQL) {
			assertThat(deadRows()).isZero();
			assertThat(vacuumCount()).isPositive();
		}
		assertThat(this.fixture.queue().count(null, null)).isZero();
	}

	@Test
	void aWorkerWithAVacuumIntervalVacuumsOnItsSchedule() {
		startAndRunAJob(
				this.fixture.worker().maintenance(true).maintenance((m) -> m.withVacuumInterval(Duration.ofMillis(100))));

		if (!nothingToVacuum()) {
			await().atMost(QueueFixture.PATIENCE).until(() -> vacuumCount() >= 2);
		}
	}

	@Test
	void aWorkerWithADeadRowThresholdVacuumsOnceTheTableHoldsThatMany() {
		if (this.db == TestDatabase.POSTGRESQL) {
			// the check such a worker makes every second, made by hand while no worker vacuums
			Maintenance check = Internals.maintenance(Internals.store(this.fixture.queue()), Duration.ofHours(1),
					Duration.ofHours(1), Retention.DEFAULT, null, 40);
			startAndRunAJob(this.fixture.worker());
			// a job leaves a dead version at its claim and one at its success: far below 40 dead rows
			long vacuumsBefore = vacuumCount();
			assertThat(check.vacuumWhenDue()).as("vacuums with a handful of dead rows").isFalse();
			assertThat(vacuumCount()).isEqualTo(vacuumsBefore);

			runJobs(40);

			// the server counts dead rows a little after the fact
			await().atMost(QueueFixture.PATIENCE).until(check::vacuumWhenDue);
			await().atMost(QueueFixture.PATIENCE).until(() -> vacuumCount() > vacuumsBefore);
		}
		// and a worker with that threshold makes the check itself
		startAndRunAJob(this.fixture.worker().maintenance(true).maintenance((m) -> m.withVacuumDeadRows(40)));
		if (nothingToVacuum()) {
			return;
		}
		long vacuumsBefore = vacuumCount();

		runJobs(40);

		await().atMost(QueueFixture.PATIENCE).until(() -> vacuumCount() > vacuumsBefore);
	}

	@Test
	void aWorkerWithDefaultSettingsVacuumsATableThatAutovacuumLeftBehind() {
		startAndRunAJob(this.fixture.worker().maintenance(true));
		if (nothingToVacuum()) {
			return;
		}
		long vacuumsBefore = vacuumCount();
		// the dead rows of as many finished and deleted jobs as the default threshold, in one go: what a
		// busy queue leaves behind between two visits of autovacuum
		JdbcTemplate jdbc = new JdbcTemplate(this.fixture.dataSource());
		String table = this.fixture.queue().jobTable();
		// on a server with autovacuum on, it must not come first
		jdbc.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
		try {
			jdbc.update("INSERT INTO " + table + " (queue, type, payload, state, run_at, max_attempts, finished_at)"
					+ " SELECT 'elsewhere', 'done', '{}', 2, now(), 1, now() FROM generate_series(1, ?)",
					MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS);
			jdbc.update("DELETE FROM " + table + " WHERE queue = 'elsewhere'");

			await().atMost(QueueFixture.PATIENCE).until(() -> vacuumCount() > vacuumsBefore);
		}
		finally {
			jdbc.execute("ALTER TABLE " + table + " RESET (autovacuum_enabled)");
		}
		assertThat(deadRows()).isLessThan(MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS / 100);
		long after = this.fixture.queue().enqueue("work", "after");
		this.fixture.awaitState(after, JobState.SUCCEEDED);
	}

	@Test
	void aNodeWhoseUserMayNotVacuumTheTableSaysSoOnceAndDoesNotTry() throws SQLException {
		if (this.db != TestDatabase.POSTGRESQL) {
			assertThat(Internals.store(this.fixture.queue()).tableVacuumRefusal()).as("nothing to vacuum").isNull();
			return;
		}
		JdbcTemplate owner = new JdbcTemplate(this.fixture.dataSource());
		owner.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sqlqueue_not_owner')"
				+ " THEN CREATE ROLE sqlqueue_not_owner; END IF; END $$");
		// a user of the application's, which sees the table, but does not own it
		owner.execute("GRANT USAGE ON SCHEMA " + owner.queryForObject("SELECT current_schema()", String.class)
				+ " TO sqlqueue_not_owner");
		String table = this.fixture.queue().jobTable();
		String ownerName = owner.queryForObject(
				"SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = CAST(? AS regclass)", String.class, table);
		assertThat(Internals.store(this.fixture.queue()).tableVacuumRefusal()).as("the table's owner may").isNull();
		Logger logger = (Logger) LoggerFactory.getLogger(Maintenance.class);
		ListAppender<ILoggingEvent> logged = new ListAppender<>();
		logged.start();
		logger.addAppender(logged);
		try (Connection connection = this.fixture.dataSource().getConnection()) {
			try (Statement statement = connection.createStatement()) {
				statement.execute("SET ROLE sqlqueue_not_owner");
			}
			JdbcJobStore notOwner = new JdbcJobStore(new SingleConnectionDataSource(connection, true),
					Internals.store(this.fixture.queue()).tablePrefix());
			Maintenance maintenance = Internals.maintenance(notOwner, Duration.ofHours(1), Duration.ofHours(1),
					Retention.DEFAULT, Duration.ofHours(1), 0);
			long vacuumsBefore = vacuumCount();

			assertThat(notOwner.tableVacuumRefusal()).contains("sqlqueue_not_owner", table, ownerName);
			assertThat(maintenance.vacuum()).isFalse();
			assertThat(maintenance.vacuum()).isFalse();

			assertThat(vacuumCount()).isEqualTo(vacuumsBefore);
			try (Statement statement = connection.createStatement()) {
				statement.execute("RESET ROLE");
			}
		}
		finally {
			logger.detachAppender(logged);
		}
		// a warning where autovacuum is off, since nothing vacuums the table then; information where it is on
		Level level = "on".equals(owner.queryForObject("SHOW autovacuum", String.class)) ? Level.INFO : Level.WARN;
		assertThat(logged.list).filteredOn((event) -> event.getLevel().isGreaterOrEqual(Level.INFO))
			.singleElement()
			.satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(level);
				assertThat(event.getFormattedMessage()).contains("will not vacuum " + table, "sqlqueue_not_owner");
			});
	}

	@Test
	void aNodeWithItsVacuumTurnedOffWarnsOnceWhereTheServerDoesNotVacuumEither() throws InterruptedException {
		if (this.db != TestDatabase.POSTGRESQL) {
			assertThat(Internals.store(this.fixture.queue()).tableAutovacuumOff()).as("nothing to vacuum").isNull();
			return;
		}
		boolean autovacuum = "on".equals(new JdbcTemplate(this.fixture.dataSource()).queryForObject("SHOW autovacuum",
				String.class));
		// a table of its own: the warning is given once per JVM and table
		JdbcJobStore table = new JdbcJobStore(this.fixture.dataSource(), "sqlqueue_unvacuumed_");
		// each node asks the server once, at its start, and then warns or not
		CountDownLatch asked = new CountDownLatch(2);
		JobStore store = Internals.replacing(table, "tableAutovacuumOff", (args) -> {
			String autovacuumOff = table.tableAutovacuumOff();
			asked.countDown();
			return autovacuumOff;
		});
		Logger logger = (Logger) LoggerFactory.getLogger(Maintenance.class);
		ListAppender<ILoggingEvent> logged = new ListAppender<>();
		logged.start();
		logger.addAppender(logged);
		List<Maintenance> nodes = List.of(
				Internals.maintenance(store, Duration.ofHours(1), Duration.ofHours(1), Retention.DEFAULT, null, 0),
				Internals.maintenance(store, Duration.ofHours(1), Duration.ofHours(1), Retention.DEFAULT, null, 0));
		try {
			nodes.forEach(Maintenance::start);
			assertThat(asked.await(QueueFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("both nodes asked").isTrue();
			nodes.forEach(Maintenance::stop);
			// a check under way is let finish: once stopped, both have warned or not
			for (Maintenance node : nodes) {
				assertThat(node.awaitStopped(QueueFixture.PATIENCE)).isTrue();
			}
		}
		finally {
			nodes.forEach(Maintenance::stop);
			logger.detachAppender(logged);
		}
		if (autovacuum) {
			assertThat(logged.list).noneMatch((event) -> event.getLevel() == Level.WARN);
		}
		else {
			assertThat(logged.list).filteredOn((event) -> event.getLevel() == Level.WARN)
				.singleElement()
				.satisfies((event) -> assertThat(event.getFormattedMessage()).contains("autovacuum is off",
						"vacuum is turned off", table.jobTable(), "sqlqueue.worker.vacuum-dead-rows"));
		}
	}

	/** Starts {@code worker} with a no-op handler of type "work" and runs a job through it. */
	private void startAndRunAJob(JobWorker.Builder worker) {
		this.fixture.start(worker.handler("work", String.class, (name, ctx) -> {
		}));
		long id = this.fixture.queue().enqueue("work", "job");
		this.fixture.awaitState(id, JobState.SUCCEEDED);
	}

	/** Runs {@code count} jobs of type "work", one after the other. */
	private void runJobs(int count) {
		for (int n = 1; n <= count; n++) {
			long id = this.fixture.queue().enqueue("work", "job " + n);
			this.fixture.awaitState(id, JobState.SUCCEEDED);
		}
	}

	/**
	 * Whether this database needs no vacuum; if so, checks that the worker's vacuum setting is ignored and the
	 * worker runs jobs as ever.
	 */
	private boolean nothingToVacuum() {
		if (this.db == TestDatabase.POSTGRESQL) {
			return false;
		}
		long next = this.fixture.queue().enqueue("work", "next");
		this.fixture.awaitState(next, JobState.SUCCEEDED);
		return true;
	}

	private long deadRows() {
		return statistic("n_dead_tup");
	}

	private long vacuumCount() {
		return statistic("vacuum_count");
	}

	private long statistic(String column) {
		return new JdbcTemplate(this.fixture.dataSource()).queryForObject(
				"SELECT " + column + " FROM pg_stat_user_tables WHERE relid = CAST(? AS regclass)", Long.class,
				this.fixture.queue().jobTable());
	}

}
