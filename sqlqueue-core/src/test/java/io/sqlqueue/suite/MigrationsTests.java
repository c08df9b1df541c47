package io.sqlqueue.suite;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

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
			case POSTGRESQL -> List.of("1", "2", "3", "4", "5", "6", "7", "8", "9");
			case SQLITE -> List.of("1", "2", "4", "5", "6", "7", "8", "9");
			default -> List.of("1", "2", "4", "5", "7", "8", "9");
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
