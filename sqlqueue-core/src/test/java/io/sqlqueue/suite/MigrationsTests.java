package io.sqlqueue.suite;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** sqlqueue's own Flyway migrations, with their own history table. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class MigrationsTests {

	@Parameter
	TestDatabase db;

	DataSource dataSource;

	JdbcTemplate jdbc;

	@BeforeEach
	void setUp() {
		this.dataSource = TestDatabases.dataSource(this.db);
		TestDatabases.dropAllTables(this.db, this.dataSource);
		this.jdbc = new JdbcTemplate(this.dataSource);
	}

	@Test
	void migrateCreatesTheTablesAndRecordsItsHistoryInItsOwnTable() {
		MigrateResult result = SqlQueueMigrations.migrate(this.dataSource);

		assertThat(result.success).isTrue();
		assertThat(result.migrationsExecuted).isEqualTo(latestVersions().size());
		assertThat(versions()).isEqualTo(latestVersions());
		long id = JdbcJobQueue.builder(this.dataSource).build().enqueue("after-migration", Map.of());
		assertThat(JdbcJobQueue.builder(this.dataSource).build().find(id)).isPresent();
	}

	@Test
	void migratingTwiceChangesNothing() {
		SqlQueueMigrations.migrate(this.dataSource);
		JdbcJobQueue jobs = JdbcJobQueue.builder(this.dataSource).build();
		long id = jobs.enqueue("kept", Map.of());

		MigrateResult again = SqlQueueMigrations.migrate(this.dataSource);

		assertThat(again.success).isTrue();
		assertThat(again.migrationsExecuted).isZero();
		assertThat(versions()).isEqualTo(latestVersions());
		assertThat(jobs.find(id).orElseThrow().state()).isEqualTo(JobState.READY);
	}

	@Test
	void verifySchemaPassesOnAMigratedDatabase() {
		SqlQueueMigrations.migrate(this.dataSource);

		assertThatNoException().isThrownBy(
				() -> SqlQueueMigrations.verifySchema(this.dataSource, SqlQueueMigrations.DEFAULT_TABLE_PREFIX));
	}

	@Test
	void verifySchemaOnAnEmptyDatabaseNamesTheTableAndTheFix() {
		assertThatIllegalStateException()
			.isThrownBy(() -> SqlQueueMigrations.verifySchema(this.dataSource, SqlQueueMigrations.DEFAULT_TABLE_PREFIX))
			.withMessageContaining("sqlqueue_job")
			.withMessageContaining("db/sqlqueue/" + vendor())
			.withMessageContaining("SqlQueueMigrations.migrate");
	}

	@Test
	void aTablePrefixGetsItsOwnTablesAndHistory() {
		SqlQueueMigrations.migrate(this.dataSource, "billing_");

		assertThatNoException().isThrownBy(() -> SqlQueueMigrations.verifySchema(this.dataSource, "billing_"));
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM " + quoted("billing_schema_history") + " WHERE "
				+ quoted("version") + " IS NOT NULL", Integer.class)).isEqualTo(latestVersions().size());
		long id = JdbcJobQueue.builder(this.dataSource).tablePrefix("billing_").build().enqueue("invoice", Map.of());
		assertThat(JdbcJobQueue.builder(this.dataSource).tablePrefix("billing_").build().find(id)).isPresent();
		assertThatIllegalStateException().isThrownBy(
				() -> SqlQueueMigrations.verifySchema(this.dataSource, SqlQueueMigrations.DEFAULT_TABLE_PREFIX));
	}

	@Test
	void aBatchOpenWhenVersion10RecordsItsRangeOfIdsFinishesWithItsCallback() {
		Flyway.configure()
			.configuration(SqlQueueMigrations.flyway(this.dataSource, SqlQueueMigrations.DEFAULT_TABLE_PREFIX).getConfiguration())
			.target("9")
			.load()
			.migrate();
		// a batch as version 9 wrote it, between two plain jobs: its row, three members and a callback, no range
		Object now = (this.db == TestDatabase.SQLITE) ? (Object) System.currentTimeMillis()
				: new Timestamp(System.currentTimeMillis());
		this.jdbc.update("INSERT INTO sqlqueue_batch (kind, name, created_at) VALUES (0, 'before the upgrade', ?)", now);
		long batch = this.jdbc.queryForObject("SELECT MAX(id) FROM sqlqueue_batch", Long.class);
		String insert = "INSERT INTO sqlqueue_job (queue, type, payload, state, run_at, max_attempts, created_at, batch_id,"
				+ " step, callback_for) VALUES ('default', ?, " + ((this.db == TestDatabase.POSTGRESQL) ? "CAST(? AS jsonb)" : "?")
				+ ", ?, ?, 3, ?, ?, ?, ?)";
		this.jdbc.update(insert, "plain", "1", JobState.READY.code(), now, now, null, null, null);
		for (int i = 0; i < 3; i++) {
			this.jdbc.update(insert, "member", "1", JobState.READY.code(), now, now, batch, null, null);
		}
		this.jdbc.update(insert, "plain", "1", JobState.READY.code(), now, now, null, null, null);
		this.jdbc.update(insert, "callback", "\"done\"", JobState.WAITING.code(), now, now, null, "onComplete", batch);

		SqlQueueMigrations.migrate(this.dataSource);

		JdbcJobQueue jobs = JdbcJobQueue.builder(this.dataSource).build();
		assertThat(jobs.batch(batch).orElseThrow().members()).hasSize(3)
			.allSatisfy((member) -> assertThat(member.type()).isEqualTo("member"));
		List<String> ran = new CopyOnWriteArrayList<>();
		JobWorker.builder(jobs)
			.handler("plain", Integer.class, (n, ctx) -> ran.add("plain"))
			.handler("member", Integer.class, (n, ctx) -> ran.add("member"))
			.handler("callback", String.class,
					(when, ctx) -> ran.add(when + " after " + ctx.batch().orElseThrow().count(JobState.SUCCEEDED)))
			.build()
			.drain();
		assertThat(ran).containsExactlyInAnyOrder("plain", "plain", "member", "member", "member", "done after 3");
		assertThat(jobs.batch(batch).orElseThrow().isFinished()).isTrue();
	}

	/** The versions applied, leaving out Flyway's own schema-creation marker. */
	private List<String> versions() {
		return this.jdbc.queryForList("SELECT " + quoted("version") + " FROM " + quoted(SqlQueueMigrations.HISTORY_TABLE)
				+ " WHERE " + quoted("version") + " IS NOT NULL AND " + quoted("success") + " = " + (this.db == TestDatabase.SQLITE ? "1" : "TRUE") + " ORDER BY "
				+ quoted("installed_rank"), String.class);
	}

	/**
	 * The versions a migration applies: PostgreSQL's third drops two indexes from the path of every
	 * job; the other databases' schemas have no equivalent change. The sixth indexes a job's children in any
	 * state where the parent index holds only waiting ones (PostgreSQL, SQLite); H2's and MariaDB's parent
	 * index already holds them all.
	 */
	private List<String> latestVersions() {
		return switch (this.db) {
			case POSTGRESQL -> List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
			case SQLITE -> List.of("1", "2", "4", "5", "6", "7", "8", "9", "10");
			default -> List.of("1", "2", "4", "5", "7", "8", "9", "10");
		};
	}

	/** Flyway creates its history table with quoted lower-case names on H2. */
	private String quoted(String name) {
		return (this.db == TestDatabase.H2) ? "\"" + name + "\"" : name;
	}

	private String vendor() {
		return switch (this.db) {
			case POSTGRESQL -> "postgresql";
			case MARIADB -> "mariadb";
			case H2 -> "h2";
			case SQLITE -> "sqlite";
		};
	}

}
