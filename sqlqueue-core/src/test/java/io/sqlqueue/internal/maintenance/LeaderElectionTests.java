package io.sqlqueue.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.dao.DataAccessResourceFailureException;

import io.sqlqueue.Job;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.ClaimParams;
import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.internal.store.LeaderRow;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestClock;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.MaintenanceSettings;

/**
 * The election of the node that runs the maintenance: one leader at a time, named by the leader row; a leader
 * that stops hands over at once, one that dies is replaced within its term and one renewal; only the leader
 * rescues. On every database: several nodes may share one in a JVM, even SQLite. {@link KilledLeaderTests}
 * kills a leader that is a JVM of its own.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class LeaderElectionTests {

	/** The short term of the tests: renewed every third of a second. */
	static final Duration TERM = Duration.ofSeconds(1);

	/**
	 * What a takeover may take beyond the election's own delays, measured: the statement, the test's polling, and
	 * a scheduler thread that a machine shared with other builds runs late.
	 */
	static final Duration SLACK = Duration.ofMillis(500);

	@Parameter
	TestDatabase db;

	QueueFixture fixture;

	JdbcJobStore store;

	/** Electors the test runs by hand or started, stopped after it. */
	final List<LeaderElector> electors = new ArrayList<>();

	@BeforeEach
	void setUp() {
		this.fixture = QueueFixture.fresh(this.db);
		this.store = Internals.store(this.fixture.queue());
	}

	@AfterEach
	void tearDown() {
		this.electors.forEach(LeaderElector::stop);
		this.fixture.close();
	}

	@Test
	void ofSeveralWorkersExactlyOneLeadsAtATimeAndTheLeaderRowNamesIt() {
		List<JobWorker> workers = startWorkers(3, TERM);
		await().atMost(QueueFixture.PATIENCE).until(() -> leaders(workers).size() == 1);

		// watched until the leader has renewed its term three times
		Set<Instant> terms = new HashSet<>();
		List<String> violations = new CopyOnWriteArrayList<>();
		AtomicInteger namedLeaders = new AtomicInteger();
		await().atMost(QueueFixture.PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> {
			LeaderRow before = leaderRow();
			List<String> leading = leaders(workers);
			LeaderRow after = leaderRow();
			// a sample counts when no attempt changed the row while the workers were asked
			if (Objects.equals(before.leaderId(), after.leaderId()) && before.expiresAt().equals(after.expiresAt())) {
				terms.add(before.expiresAt());
				if (leading.size() > 1) {
					violations.add("several leaders " + leading + ", the row names " + before.leaderId());
				}
				else if (leading.size() == 1 && before.held()) {
					if (leading.get(0).equals(before.leaderId())) {
						namedLeaders.incrementAndGet();
					}
					else {
						violations.add(leading.get(0) + " leads, the row names " + before.leaderId());
					}
				}
			}
			return terms.size() > 3;
		});

		assertThat(violations).isEmpty();
		assertThat(namedLeaders).as("samples in which one worker led and the row named it").hasPositiveValue();
	}

	@Test
	void aLeaderThatStopsResignsAndAnotherTakesOverAtOnce() {
		// a longer term, so that a takeover at the next attempt (a third of a term) is told apart from one when
		// the stopped leader's term runs out (two thirds of a term after its last renewal at the earliest)
		Duration term = Duration.ofSeconds(3);
		Duration renewal = term.dividedBy(3);
		List<JobWorker> workers = startWorkers(3, term);
		await().atMost(QueueFixture.PATIENCE).until(() -> leaders(workers).size() == 1);
		JobWorker leader = workerNamed(workers, leaders(workers).get(0));

		leader.stop(Duration.ofSeconds(5));
		long stoppedAt = System.nanoTime();

		LeaderRow resigned = leaderRow();
		assertThat(resigned.held() && resigned.leaderId().equals(leader.workerId()))
			.as("the stopped leader still holds the row: %s", resigned)
			.isFalse();
		await().atMost(QueueFixture.PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> leaders(workers).size() == 1);
		Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
		String successor = leaders(workers).get(0);
		System.out.printf("%s: another worker took over %d ms after the leader stopped (term %d ms)%n", this.db,
				takeover.toMillis(), term.toMillis());
		assertThat(successor).isNotEqualTo(leader.workerId());
		assertThat(leaderRow().leaderId()).isEqualTo(successor);
		assertThat(takeover).as("at the others' next attempt").isLessThan(renewal.plus(SLACK));
	}

	@Test
	void aLeaderThatDiesIsReplacedWithinItsTermAndOneRenewal() {
		LeaderElector dying = elector("dying-node", TERM, InstantSource.system());
		assertThat(dying.attempt()).isTrue();
		// it dies: it never attempts again, nor resigns
		long diedAt = System.nanoTime();
		LeaderElector survivor = elector("surviving-node", TERM, InstantSource.system());
		AtomicBoolean bothLed = new AtomicBoolean();

		survivor.start();

		await().atMost(QueueFixture.PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> {
			if (survivor.isLeader()) {
				bothLed.compareAndSet(false, dying.isLeader());
				return true;
			}
			return false;
		});
		Duration takeover = Duration.ofNanos(System.nanoTime() - diedAt);
		System.out.printf("%s: a leader that died was replaced %d ms after its last renewal (term %d ms)%n", this.db,
				takeover.toMillis(), TERM.toMillis());
		assertThat(bothLed).as("the dead leader still counted itself leader by its own clock").isFalse();
		assertThat(leaderRow().leaderId()).isEqualTo("surviving-node");
		assertThat(takeover).isLessThan(TERM.plus(TERM.dividedBy(3)).plus(SLACK));
	}

	@Test
	void aLeaderCountsItselfLeaderForOneTermAfterItsLastSuccessfulAttemptByItsOwnClock() {
		TestClock clock = new TestClock();
		AtomicBoolean databaseAway = new AtomicBoolean();
		JobStore flaky = Internals.replacing(this.store, "leaderAttemptElect", (args) -> {
			if (databaseAway.get()) {
				throw new DataAccessResourceFailureException("database away");
			}
			return this.store.leaderAttemptElect((String) args[0], (String) args[1], (Duration) args[2]);
		});
		Duration term = Duration.ofSeconds(10);
		LeaderElector leader = new LeaderElector(flaky, LeaderElector.MAINTENANCE, "node-a", term, clock);
		this.electors.add(leader);
		assertThat(leader.attempt()).isTrue();

		clock.advance(Duration.ofSeconds(5));
		databaseAway.set(true);
		assertThat(leader.attempt()).as("an attempt that failed within the term").isTrue();
		clock.advance(term.minusSeconds(5).minusMillis(1));
		assertThat(leader.isLeader()).as("a millisecond before its term ends").isTrue();
		clock.advance(Duration.ofMillis(1));
		assertThat(leader.isLeader()).as("once its term has ended").isFalse();
		assertThat(leader.attempt()).as("an attempt that failed after the term").isFalse();

		databaseAway.set(false);
		assertThat(leader.attempt()).as("the database back, and its term in the row still running").isTrue();
	}

	@Test
	void onlyTheLeadersMaintenanceRescuesAJobWhoseLeaseExpired() {
		MaintenanceSettings settings = MaintenanceSettings.defaults().withLeaderTerm(Duration.ofMinutes(1));
		LeaderElector leading = elector("leading-node", settings.leaderTerm(), InstantSource.system());
		LeaderElector following = elector("following-node", settings.leaderTerm(), InstantSource.system());
		assertThat(leading.attempt()).isTrue();
		assertThat(following.attempt()).isFalse();
		Maintenance leader = new Maintenance(this.store, settings, leading, InstantSource.system());
		Maintenance follower = new Maintenance(this.store, settings, following, InstantSource.system());
		long id = this.fixture.queue().enqueue("work", Map.of());
		List<Job> claimed = this.store.jobGetAvailable(new ClaimParams("default", 1, Duration.ofSeconds(1), "crashed"));
		assertThat(claimed).extracting(Job::id).containsExactly(id);
		Instant lockedUntil = this.fixture.job(id).lockedUntil();
		await().atMost(QueueFixture.PATIENCE)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.fixture.queue().databaseTime().isAfter(lockedUntil));

		assertThat(follower.rescueIfLeader()).as("the follower's rescue tick").isZero();
		assertThat(this.fixture.state(id)).isEqualTo(JobState.RUNNING);
		assertThat(leader.rescueIfLeader()).as("the leader's rescue tick").isEqualTo(1);

		Job rescued = this.fixture.job(id);
		assertThat(rescued.state()).isEqualTo(JobState.READY);
		assertThat(rescued.lastError()).contains("Lease expired");
	}

	private LeaderElector elector(String nodeId, Duration term, InstantSource clock) {
		LeaderElector elector = new LeaderElector(this.store, LeaderElector.MAINTENANCE, nodeId, term, clock);
		this.electors.add(elector);
		return elector;
	}

	/** Starts {@code count} workers taking part in the maintenance's election with {@code term}. */
	private List<JobWorker> startWorkers(int count, Duration term) {
		List<JobWorker> workers = new ArrayList<>();
		for (int n = 1; n <= count; n++) {
			workers.add(this.fixture.start(this.fixture.worker()
				.workerId("node-" + n)
				.maintenance(true)
				.maintenance((m) -> m.withLeaderTerm(term))));
		}
		return workers;
	}

	/** The ids of the workers that say they lead now. */
	private static List<String> leaders(List<JobWorker> workers) {
		return workers.stream().filter(JobWorker::leadsMaintenance).map(JobWorker::workerId).toList();
	}

	private static JobWorker workerNamed(List<JobWorker> workers, String workerId) {
		return workers.stream().filter((worker) -> worker.workerId().equals(workerId)).findFirst().orElseThrow();
	}

	private LeaderRow leaderRow() {
		return this.store.leaderGet(LeaderElector.MAINTENANCE).orElseThrow();
	}

}
