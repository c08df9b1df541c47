package io.sqlqueue.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.internal.store.LeaderRow;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;
import io.sqlqueue.testing.TestProcess;
import io.sqlqueue.worker.JobWorker;

/**
 * A maintenance leader whose JVM is killed (no resignation, no shutdown hook) is replaced by a worker of another
 * JVM within its term and one renewal. On the databases that separate JVMs can share.
 */
@ParameterizedClass
@EnumSource(value = TestDatabase.class, names = { "POSTGRESQL", "MARIADB" })
class KilledLeaderTests {

	private static final Duration TERM = LeaderElectionTests.TERM;

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobStore store;

	TestProcess leaderProcess;

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.store = Internals.store(this.fixture.queue());
	}

	@AfterEach
	void tearDown() throws Exception {
		this.fixture.close();
		if (this.leaderProcess != null) {
			this.leaderProcess.close();
		}
	}

	@Test
	void aKilledLeaderIsReplacedWithinItsTermAndOneRenewal() throws Exception {
		this.leaderProcess = TestProcess.start(LeaderProcess.class, "leader", TestDatabases.jdbcUrl(this.db),
				"process-node", String.valueOf(TERM.toMillis()));
		await().atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> leaderRow().filter(LeaderRow::held).map(LeaderRow::leaderId).orElse("").equals("process-node"));
		List<JobWorker> workers = new ArrayList<>();
		for (int n = 1; n <= 2; n++) {
			workers.add(this.fixture.start(this.fixture.worker()
				.workerId("node-" + n)
				.maintenance(true)
				.maintenance((m) -> m.withLeaderTerm(TERM))));
		}
		// the workers here cannot win an election while the process renews its term
		assertThat(leaderRow().orElseThrow().leaderId()).isEqualTo("process-node");
		assertThat(workers).noneMatch(JobWorker::leadsMaintenance);
		assertThat(this.leaderProcess.output()).contains(LeaderProcess.STARTED);

		long killedAt = System.nanoTime();
		this.leaderProcess.kill();

		await().atMost(QueueFixture.PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> workers.stream().anyMatch(JobWorker::leadsMaintenance));
		Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
		System.out.printf("%s: a worker took over %d ms after the leader's JVM was killed (term %d ms)%n", this.db,
				takeover.toMillis(), TERM.toMillis());
		JobWorker successor = workers.stream().filter(JobWorker::leadsMaintenance).findFirst().orElseThrow();
		assertThat(leaderRow().orElseThrow().leaderId()).isEqualTo(successor.workerId());
		assertThat(takeover).isLessThan(TERM.plus(TERM.dividedBy(3)).plus(LeaderElectionTests.SLACK));
	}

	private Optional<LeaderRow> leaderRow() {
		return this.store.leaderGet(LeaderElector.MAINTENANCE);
	}

}
