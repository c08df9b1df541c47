package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

import io.sqlqueue.HeldSnapshot;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestClock;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.worker.MaintenanceSettings;

/**
 * A session that holds a snapshot (a {@code REPEATABLE READ} report left open) keeps vacuum from removing the
 * job table's dead rows on PostgreSQL: the queue shows which session, for how long, and its leader warns once
 * it passes the warning age, once per holding transaction. Nothing holds vacuum back elsewhere.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class HeldSnapshotTests {

	@Parameter
	TestDatabase db;

	private QueueFixture fixture;

	private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

	private final Logger maintenanceLogger = (Logger) LoggerFactory.getLogger(Maintenance.class);

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.logged.start();
		this.maintenanceLogger.addAppender(this.logged);
	}

	@AfterEach
	void tearDown() {
		this.maintenanceLogger.detachAppender(this.logged);
		this.fixture.close();
	}

	@Test
	void aReportHoldingItsSnapshotIsNamedAndWarnedAboutOnce() throws Exception {
		Maintenance leader = Internals.maintenance(this.fixture.queue(),
				MaintenanceSettings.defaults().withSnapshotWarningAge(Duration.ofMillis(300)));
		Maintenance patient = Internals.maintenance(this.fixture.queue(), MaintenanceSettings.defaults());
		if (this.db != TestDatabase.POSTGRESQL) {
			assertThat(this.fixture.queue().oldestSnapshot()).isEmpty();
			assertThat(leader.warnOfHeldSnapshot()).isEmpty();
			assertThat(warnings()).isEmpty();
			return;
		}
		try (Connection report = DriverManager.getConnection(TestDatabases.jdbcUrl(this.db))) {
			int pid = holdSnapshot(report, "monthly-report");

			HeldSnapshot held = await().atMost(QueueFixture.PATIENCE)
				.until(() -> this.fixture.queue().oldestSnapshot().orElse(null),
						(snapshot) -> snapshot != null && snapshot.pid() == pid
								&& snapshot.age().compareTo(Duration.ofMillis(300)) >= 0);
			assertThat(held.applicationName()).isEqualTo("monthly-report");
			assertThat(held.state()).isEqualTo("idle in transaction");
			assertThat(held.queryStart()).isAfterOrEqualTo(held.since());
			assertThat(held.transactionsBehind()).isNotNegative();
			assertThat(patient.warnOfHeldSnapshot()).map(HeldSnapshot::pid).contains(pid);
			assertThat(warnings()).as("under the default age of 5 min").isEmpty();

			assertThat(leader.warnOfHeldSnapshot()).map(HeldSnapshot::pid).contains(pid);
			assertThat(leader.warnOfHeldSnapshot()).map(HeldSnapshot::pid).contains(pid);

			assertThat(warnings()).singleElement()
				.satisfies((warning) -> assertThat(warning).contains("pid " + pid, "application 'monthly-report'",
						"idle in transaction", "pg_terminate_backend(" + pid + ")",
						this.fixture.queue().jobTable()));

			report.commit();
			await().atMost(QueueFixture.PATIENCE)
				.until(() -> leader.warnOfHeldSnapshot().map(HeldSnapshot::pid), (seen) -> !seen.equals(Optional.of(pid)));
			// a new transaction of the same session is a new holder, named again
			holdSnapshot(report, "monthly-report");
			await().atMost(QueueFixture.PATIENCE).untilAsserted(() -> {
				leader.warnOfHeldSnapshot();
				assertThat(warnings()).hasSize(2);
			});
		}
	}

	@Test
	void aVacuumTheSnapshotHoldsBackIsNotRepeatedEverySecond() throws Exception {
		TestClock clock = new TestClock();
		Maintenance leader = Internals.maintenance(this.fixture.queue(),
				MaintenanceSettings.defaults().withVacuumDeadRows(40), clock);
		this.fixture.start(this.fixture.worker().handler("work", String.class, (name, ctx) -> {
		}));
		if (this.db != TestDatabase.POSTGRESQL) {
			runJobs(5);
			assertThat(leader.vacuumWhenDue()).as("nothing to vacuum").isFalse();
			return;
		}
		try (Connection report = DriverManager.getConnection(TestDatabases.jdbcUrl(this.db))) {
			holdSnapshot(report, "monthly-report");
			// a claim and a success each leave a dead version, none of which the vacuum may remove
			runJobs(40);
			await().atMost(QueueFixture.PATIENCE).until(leader::vacuumWhenDue);

			assertThat(leader.vacuumWhenDue()).as("the rows it left are still there: checked again a second later")
				.isFalse();
			clock.advance(Duration.ofSeconds(61));
			assertThat(leader.vacuumWhenDue()).as("a minute later it tries again").isTrue();
			report.commit();
		}
	}

	private void runJobs(int count) {
		for (int n = 1; n <= count; n++) {
			long id = this.fixture.queue().enqueue("work", "job " + n);
			this.fixture.awaitState(id, JobState.SUCCEEDED);
		}
	}

	/** Opens a REPEATABLE READ transaction on {@code connection} and reads, which takes its snapshot. @return its pid */
	private int holdSnapshot(Connection connection, String applicationName) throws Exception {
		connection.setAutoCommit(true);
		try (Statement statement = connection.createStatement()) {
			statement.execute("SET application_name = '" + applicationName + "'");
		}
		connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
		connection.setAutoCommit(false);
		try (Statement statement = connection.createStatement();
				ResultSet count = statement.executeQuery("SELECT count(*), pg_backend_pid() FROM "
						+ this.fixture.queue().jobTable())) {
			count.next();
			return count.getInt(2);
		}
	}

	private List<String> warnings() {
		return this.logged.list.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.filter((message) -> message.contains("snapshot"))
			.toList();
	}

}
