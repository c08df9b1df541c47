package io.sqlqueue.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.testing.TestProcess;

/**
 * A global concurrency limit held by worker processes of their own, on the databases several nodes share: at
 * no instant do more jobs run than the limit, and the slots of a worker killed while it held them come back.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
class ClusterLimitsTests {

	@Parameter
	TestDatabase db;

	private final List<TestProcess> processes = new ArrayList<>();

	@AfterEach
	void tearDown() throws Exception {
		for (TestProcess process : this.processes) {
			process.close();
		}
	}

	@Test
	void threeProcessesOfEightHandlersRunAtMostThreeJobsAtOnce() throws Exception {
		JdbcJobQueue jobs = prepare();
		jobs.updateQueueLimits(LimitedNodeProcess.QUEUE, QueueLimits.none().withGlobalConcurrency(3));
		for (int n = 1; n <= 3; n++) {
			start("node-" + n, "record");
		}
		enqueue(jobs, 300);

		await().atMost(Duration.ofSeconds(120))
			.until(() -> jobs.count(LimitedNodeProcess.QUEUE, JobState.SUCCEEDED) == 300);
		List<long[]> runs = new JdbcTemplate(TestDatabases.dataSource(this.db))
			.query("SELECT started, ended FROM limited_run", (rs, row) -> new long[] { rs.getLong(1), rs.getLong(2) });
		int overlap = FlowControlTests.maxOverlap(runs);
		System.out.printf("%s: global concurrency 3 over 3 processes of 8 handlers: at most %d jobs ran at once, %d runs%n",
				this.db, overlap, runs.size());
		assertThat(runs).hasSize(300);
		assertThat(overlap).isBetween(1, 3);
	}

	@Test
	void theSlotsOfAWorkerKilledWhileHoldingThemComeBack() throws Exception {
		JdbcJobQueue jobs = prepare();
		jobs.updateQueueLimits(LimitedNodeProcess.QUEUE, QueueLimits.none().withGlobalConcurrency(2));
		TestProcess victim = start("victim", "stuck");
		enqueue(jobs, 10);
		await().atMost(Duration.ofSeconds(30)).until(() -> jobs.count(LimitedNodeProcess.QUEUE, JobState.RUNNING) == 2);

		// the jobs of a dead node come back through its row, which its first heartbeat writes: on a busy machine
		// that can come after its first claim, and a node killed before it leaves its jobs to their leases
		await().atMost(Duration.ofSeconds(30))
			.until(() -> jobs.nodes().stream().anyMatch((node) -> node.id().equals("victim")));
		victim.kill();
		long killedAt = System.nanoTime();
		start("survivor", "record");

		try {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> jobs.count(LimitedNodeProcess.QUEUE, JobState.SUCCEEDED) == 10);
		}
		catch (ConditionTimeoutException ex) {
			describe(jobs);
			throw ex;
		}
		System.out.printf("%s: the 2 slots a killed worker held came back and the 10 jobs ran within %d ms of the kill%n",
				this.db, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
	}

	/** What a test that timed out waited for: the jobs, the nodes, and what each worker process printed. */
	private void describe(JdbcJobQueue jobs) {
		System.out.printf("%s: jobs %s%n", this.db, jobs.list(JobQuery.all().inQueue(LimitedNodeProcess.QUEUE))
			.stream()
			.map((job) -> job.id() + " " + job.state() + " attempt " + job.attempt() + " by " + job.lockedBy())
			.toList());
		System.out.printf("%s: nodes %s%n", this.db, jobs.nodes());
		for (TestProcess process : this.processes) {
			System.out.printf("%s: output of a worker process:%n%s%n", this.db, process.output());
		}
	}

	private JdbcJobQueue prepare() {
		DataSource dataSource = TestDatabases.fresh(this.db);
		new JdbcTemplate(dataSource).execute("CREATE TABLE limited_run (job_id BIGINT, node VARCHAR(64), started BIGINT,"
				+ " ended BIGINT)");
		return JdbcJobQueue.builder(dataSource).build();
	}

	private TestProcess start(String node, String mode) throws Exception {
		TestProcess process = TestProcess.start(LimitedNodeProcess.class, node, TestDatabases.jdbcUrl(this.db), node, mode);
		this.processes.add(process);
		await().atMost(Duration.ofSeconds(60)).until(() -> process.output().contains(LimitedNodeProcess.STARTED));
		return process;
	}

	private static void enqueue(JdbcJobQueue jobs, int count) {
		List<JobRequest> requests = new ArrayList<>();
		for (int n = 0; n < count; n++) {
			requests.add(JobRequest.of(LimitedNodeProcess.TYPE, Map.of("n", n),
					EnqueueOptions.defaults().withQueue(LimitedNodeProcess.QUEUE)));
		}
		jobs.enqueueAll(requests);
	}

}
