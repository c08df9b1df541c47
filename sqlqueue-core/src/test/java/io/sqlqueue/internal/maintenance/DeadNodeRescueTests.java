package io.sqlqueue.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobState;
import io.sqlqueue.NodeStatus;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * A worker node killed with SIGKILL: its RUNNING jobs run elsewhere within a few node heartbeats, not after
 * their five-minute leases, even when the killed node led the maintenance. Separate JVMs on PostgreSQL and
 * MariaDB, the databases several nodes share.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
class DeadNodeRescueTests {

	@Parameter
	TestDatabase db;

	private Process victim;

	private JobWorker survivor;

	@AfterEach
	void tearDown() {
		if (this.victim != null) {
			this.victim.destroyForcibly();
		}
		if (this.survivor != null) {
			this.survivor.stop(Duration.ofSeconds(5));
		}
	}

	@Test
	void theJobsOfANodeKilledMidRunRunElsewhereWithinAFewHeartbeatsNotTheirLeases() throws Exception {
		DataSource dataSource = TestDatabases.fresh(this.db);
		JdbcJobQueue jobs = JdbcJobQueue.builder(dataSource).build();
		Path output = Files.createTempFile("sqlqueue-dead-node", ".log");
		this.victim = start("victim", output);
		await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(output).contains(DeadNodeProcess.STARTED));
		for (int n = 0; n < 4; n++) {
			jobs.enqueue(DeadNodeProcess.TYPE, Map.of("n", n), EnqueueOptions.defaults().withQueue(DeadNodeProcess.QUEUE));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> heldBy(jobs, "victim").size() == 4);
		// its first heartbeat, which a busy machine may run after its first claim
		await("the victim recorded itself").atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(jobs.nodes()).extracting(NodeStatus::id).contains("victim"));

		this.victim.destroyForcibly();
		assertThat(this.victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
		long killedAt = System.nanoTime();
		this.survivor = JobWorker.builder(jobs)
			.workerId("survivor")
			.maintenance((m) -> m.withNodeHeartbeat(DeadNodeProcess.NODE_HEARTBEAT))
			.maintenance((m) -> m.withLeaderTerm(DeadNodeProcess.LEADER_TERM))
			.queue(DeadNodeProcess.QUEUE, QueueSettings.defaults().withLease(DeadNodeProcess.LEASE)
				.withPollInterval(Duration.ofMillis(50)))
			.handler(HandlerSpec.of(DeadNodeProcess.TYPE, Map.class, (payload, ctx) -> {
			}).onQueue(DeadNodeProcess.QUEUE))
			.build();
		this.survivor.start();

		await().atMost(Duration.ofSeconds(30))
			.until(() -> jobs.count(DeadNodeProcess.QUEUE, JobState.SUCCEEDED) == 4);
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
		System.out.printf("%s: the 4 jobs of a node killed by SIGKILL ran elsewhere %d ms after the kill (node"
				+ " heartbeat %d ms, leader term %d ms, lease %d s)%n", this.db, millis,
				DeadNodeProcess.NODE_HEARTBEAT.toMillis(), DeadNodeProcess.LEADER_TERM.toMillis(),
				DeadNodeProcess.LEASE.toSeconds());
		List<Job> done = jobs.list(JobQuery.all().inQueue(DeadNodeProcess.QUEUE));
		assertThat(done).allSatisfy((job) -> {
			assertThat(job.attempt()).as("the run of the dead node counts").isEqualTo(2);
			assertThat(job.lastError()).contains("worker node stopped heartbeating");
		});
		assertThat(millis).as("a few heartbeats and a leader term, far from the lease")
			.isLessThan(DeadNodeProcess.LEASE.toMillis() / 10);
		assertThat(jobs.nodes()).filteredOn((node) -> node.id().equals("victim")).singleElement()
			.satisfies((node) -> assertThat(node.alive()).isFalse());
	}

	private static List<Job> heldBy(JdbcJobQueue jobs, String node) {
		return jobs.list(JobQuery.all().inQueue(DeadNodeProcess.QUEUE).inState(JobState.RUNNING))
			.stream()
			.filter((job) -> node.equals(job.lockedBy()))
			.toList();
	}

	private Process start(String nodeId, Path output) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder builder = new ProcessBuilder(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), DeadNodeProcess.class.getName(), TestDatabases.jdbcUrl(this.db),
				nodeId);
		builder.redirectErrorStream(true);
		builder.redirectOutput(output.toFile());
		return builder.start();
	}

}
