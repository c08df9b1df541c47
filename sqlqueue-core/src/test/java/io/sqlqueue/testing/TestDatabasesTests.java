package io.sqlqueue.testing;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;

import static org.assertj.core.api.Assertions.assertThat;

@ParameterizedClass
@EnumSource(TestDatabase.class)
class TestDatabasesTests {

	@Parameter
	TestDatabase db;

	DataSource dataSource;

	@BeforeEach
	void setUp() {
		this.dataSource = TestDatabases.fresh(this.db);
	}

	@Test
	void freshDatabaseIsAnEmptyMigratedQueue() {
		JdbcJobQueue jobs = JdbcJobQueue.builder(this.dataSource).build();
		long id = jobs.enqueue("fresh-check", "payload");
		assertThat(jobs.find(id)).hasValueSatisfying((job) -> assertThat(job.state()).isEqualTo(JobState.READY));

		TestDatabases.fresh(this.db);
		assertThat(jobs.count(null, null)).isZero();
	}

}
