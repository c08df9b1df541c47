package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JobState;
import io.sqlqueue.maintenance.Maintenance;
import io.sqlqueue.maintenance.Retention;
import io.sqlqueue.testing.TestDatabase;

/**
 * The opt-in vacuum of the job table: on PostgreSQL the dead row versions that finished and
 * deleted jobs leave behind are reclaimed, by hand or on the worker's schedule; elsewhere there is
 * nothing to vacuum and the setting is ignored.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class VacuumTest {

	@Parameter
	TestDatabase db;

	private FeatureFixture fixture;

	@BeforeEach
	void setUp() {
		this.fixture = FeatureFixture.fresh(this.db);
	}

	@AfterEach
	void stopWorkers() {
		this.fixture.close();
	}

	@Test
	void vacuumReclaimsTheDeadRowsOfRunAndDeletedJobsOnPostgres() {
		this.fixture.start(this.fixture.worker().handler("work", String.class, (name, ctx) -> {
		}));
		for (int n = 0; n < 50; n++) {
			long id = this.fixture.queue.enqueue("work", "job " + n, EnqueueOptions.defaults().withRetention(Duration.ZERO));
			this.fixture.awaitState(id, JobState.SUCCEEDED);
		}
		Maintenance maintenance = new Maintenance(this.fixture.queue.dialect(), Duration.ofHours(1), Duration.ofHours(1),
				Retention.DEFAULT, Duration.ofHours(1));
		assertThat(maintenance.clean()).isEqualTo(50);

		boolean vacuumed = maintenance.vacuum();

		assertThat(vacuumed).isEqualTo(this.db == TestDatabase.POSTGRESQL);
		if (this.db == TestDatabase.POSTGRESQL) {
			assertThat(deadRows()).isZero();
			assertThat(vacuumCount()).isPositive();
		}
		assertThat(this.fixture.queue.count(null, null)).isZero();
	}

	@Test
	void aWorkerWithAVacuumIntervalVacuumsOnItsSchedule() {
		this.fixture.start(this.fixture.worker()
			.maintenance(true)
			.vacuumInterval(Duration.ofMillis(100))
			.handler("work", String.class, (name, ctx) -> {
			}));
		long id = this.fixture.queue.enqueue("work", "job");

		this.fixture.awaitState(id, JobState.SUCCEEDED);

		if (this.db == TestDatabase.POSTGRESQL) {
			await().atMost(FeatureFixture.PATIENCE).until(() -> vacuumCount() >= 2);
		}
		else {
			// nothing to vacuum: the setting is ignored and the worker runs jobs as ever
			long next = this.fixture.queue.enqueue("work", "next");
			this.fixture.awaitState(next, JobState.SUCCEEDED);
		}
	}

	@Test
	void aWorkerWithADeadRowThresholdVacuumsOnceTheTableHoldsThatMany() throws InterruptedException {
		this.fixture.start(this.fixture.worker()
			.maintenance(true)
			.vacuumDeadRows(40)
			.handler("work", String.class, (name, ctx) -> {
			}));
		long first = this.fixture.queue.enqueue("work", "job 0");
		this.fixture.awaitState(first, JobState.SUCCEEDED);
		if (this.db != TestDatabase.POSTGRESQL) {
			// nothing to vacuum: the setting is ignored and the worker runs jobs as ever
			long next = this.fixture.queue.enqueue("work", "next");
			this.fixture.awaitState(next, JobState.SUCCEEDED);
			return;
		}
		// a job leaves a dead version at its claim and one at its success: far below 40 dead rows
		long vacuumsBefore = vacuumCount();
		Thread.sleep(2500);
		assertThat(vacuumCount()).as("vacuums with a handful of dead rows").isEqualTo(vacuumsBefore);

		for (int n = 1; n <= 40; n++) {
			long id = this.fixture.queue.enqueue("work", "job " + n);
			this.fixture.awaitState(id, JobState.SUCCEEDED);
		}

		await().atMost(FeatureFixture.PATIENCE).until(() -> vacuumCount() > vacuumsBefore);
	}

	private long deadRows() {
		return statistic("n_dead_tup");
	}

	private long vacuumCount() {
		return statistic("vacuum_count");
	}

	private long statistic(String column) {
		return new JdbcTemplate(this.fixture.dataSource).queryForObject(
				"SELECT " + column + " FROM pg_stat_user_tables WHERE relid = CAST(? AS regclass)", Long.class,
				this.fixture.queue.dialect().table());
	}

}
