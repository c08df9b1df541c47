package io.sqlqueue.suite;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.testing.TestProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two separate JVM processes drain one queue: every job runs exactly once, none is lost. On the
 * databases that several nodes may share.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
class TwoProcessDrainTests {

	private static final int TOTAL = 2000;

	@Parameter
	TestDatabase db;

	JdbcTemplate jdbc;

	JdbcJobQueue jobs;

	final List<TestProcess> processes = new ArrayList<>();

	@BeforeEach
	void setUp() {
		QueueFixture fixture = QueueFixture.fresh(this.db);
		this.jdbc = new JdbcTemplate(fixture.dataSource());
		this.jdbc.execute("CREATE TABLE " + DrainProcess.EXECUTIONS
				+ " (job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, worker VARCHAR(64) NOT NULL)");
		this.jobs = fixture.queue();
	}

	@AfterEach
	void tearDown() throws IOException {
		for (TestProcess process : this.processes) {
			process.close();
		}
	}

	@Test
	void twoProcessesDrainOneQueueRunningEveryJobExactlyOnce() throws Exception {
		start("process-1");
		start("process-2");
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.processes.stream().allMatch((process) -> process.output().contains(DrainProcess.STARTED)));

		long start = System.nanoTime();
		List<Long> ids = this.jobs.enqueueAll(IntStream.range(0, TOTAL)
			.mapToObj((i) -> JobRequest.of(DrainProcess.TYPE, Map.of("n", i),
					EnqueueOptions.defaults().withQueue(DrainProcess.QUEUE)))
			.toList());

		for (int i = 0; i < this.processes.size(); i++) {
			TestProcess process = this.processes.get(i);
			assertThat(process.waitFor(4, TimeUnit.MINUTES)).as("process %d ended", i + 1).isTrue();
			assertThat(process.exitValue()).as("exit code of process %d:%n%s", i + 1, process.output())
				.isZero();
		}
		long millis = (System.nanoTime() - start) / 1_000_000;
		List<Long> duplicates = this.jdbc.queryForList("SELECT job_id FROM " + DrainProcess.EXECUTIONS
				+ " GROUP BY job_id HAVING COUNT(*) > 1", Long.class);
		List<Long> executed = this.jdbc.queryForList("SELECT DISTINCT job_id FROM " + DrainProcess.EXECUTIONS,
				Long.class);
		List<Map<String, Object>> perWorker = this.jdbc.queryForList(
				"SELECT worker, COUNT(*) AS runs FROM " + DrainProcess.EXECUTIONS + " GROUP BY worker");
		System.out.printf("%s: two processes drained %d jobs in %d ms (including shutdown), runs per process %s%n",
				this.db, TOTAL, millis, perWorker);
		assertThat(duplicates).as("jobs run more than once").isEmpty();
		assertThat(executed).as("every job ran").containsExactlyInAnyOrderElementsOf(ids);
		assertThat(this.jobs.count(DrainProcess.QUEUE, JobState.SUCCEEDED)).isEqualTo(TOTAL);
		assertThat(this.jdbc.queryForObject("SELECT MAX(attempt) FROM " + DrainProcess.EXECUTIONS, Integer.class))
			.isEqualTo(1);
		assertThat(perWorker).as("both processes took part: %s", perWorker).hasSize(2);
	}

	private void start(String workerId) throws IOException {
		this.processes.add(TestProcess.start(DrainProcess.class, workerId, TestDatabases.jdbcUrl(this.db), workerId,
				String.valueOf(TOTAL)));
	}

}
