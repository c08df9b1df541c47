package io.sqlqueue.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;

import org.junit.jupiter.api.Test;

import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short run of the whole harness on PostgreSQL at tiny sizes: every scenario runs, prints its
 * figures and completes every job it enqueued. No timing is asserted; the figures come from the
 * full run ({@code java -jar sqlqueue-benchmarks.jar ... all}).
 */
class BenchmarksSmokeTests {

	@Test
	void everyScenarioRunsAndCompletesEveryJob() throws Exception {
		String url = TestDatabases.jdbcUrl(TestDatabase.POSTGRESQL);
		TestDatabases.fresh(TestDatabase.POSTGRESQL);
		BenchmarkOptions options = new BenchmarkOptions(url, new LinkedHashSet<>(BenchmarkOptions.SCENARIOS),
				Duration.ofSeconds(1), 4, 2_000, Duration.ofSeconds(1), 1_000, 3, 5, 20, 3, 2, Duration.ofSeconds(2),
				1_000, Duration.ofSeconds(1), 10_000, Duration.ofSeconds(3), 20_000, 1_000);
		ByteArrayOutputStream printed = new ByteArrayOutputStream();

		Benchmarks.Results results = Benchmarks.run(options,
				new Report(new PrintStream(printed, true, StandardCharsets.UTF_8)));

		String report = printed.toString(StandardCharsets.UTF_8);
		System.out.print(report);
		assertThat(report).contains("ceiling claim-complete-100", "drain", "enqueueAll", "other JVM, notify",
				"polling only", "soak");
		assertThat(results.ceiling().insertOneRow()).isPositive();
		assertThat(results.ceiling().claimComplete1()).isPositive();
		assertThat(results.ceiling().claimComplete100()).isPositive();
		assertThat(results.drain().succeededInDatabase()).isEqualTo(2_000);
		assertThat(results.enqueue().singleEnqueued()).isPositive();
		assertThat(results.enqueue().singleRatioToCeiling()).isPositive();
		assertThat(results.enqueue().storedInDatabase())
			.isEqualTo(results.enqueue().singleEnqueued() + 3 * 1_000);
		assertThat(results.dbScheduler().drainExecuted()).isEqualTo(2_000);
		assertThat(results.dbScheduler().singlePerSecond()).isPositive();
		assertThat(results.dbScheduler().batchPerSecond()).isPositive();
		assertThat(results.dbScheduler().enqueueAllRatio()).isPositive();
		assertThat(report).contains("sqlqueue over db-scheduler, both measured in this run: drain");
		assertThat(report).contains("floor: SQL only");
		assertThat(report).contains("the floor's p50 parts: insert");
		assertThat(results.latencyFloor().count()).isEqualTo(20);
		assertThat(results.latency()).hasSize(3).allSatisfy((latency) -> {
			int warmup = (latency.variant() == LatencyBenchmark.Variant.OTHER_JVM_POLLING) ? 0 : 5;
			int samples = (latency.variant() == LatencyBenchmark.Variant.OTHER_JVM_POLLING) ? 3 : 20;
			int burst = warmup * LatencyEnqueuer.WARM_UP_BURST_PER_JOB;
			assertThat(latency.succeeded()).isEqualTo(burst + warmup + samples);
			assertThat(latency.percentiles().count()).isEqualTo(samples);
		});
		assertThat(results.soak().perSecond()).hasSize(2);
		assertThat(results.soak().enqueued()).isPositive();
		assertThat(results.soak().succeeded()).isEqualTo(results.soak().enqueued());
		assertThat(report).contains("under forced generic plans against");
		assertThat(results.plans().custom()).hasSize(2).allSatisfy((perSecond) -> assertThat(perSecond).isPositive());
		assertThat(report).contains("of unlimited (target >= 0.7x)");
		assertThat(results.limits().unlimited()).hasSize(3).allSatisfy((perSecond) -> assertThat(perSecond).isPositive());
		assertThat(results.limits().limited()).hasSize(3).allSatisfy((perSecond) -> assertThat(perSecond).isPositive());
		assertThat(results.plans().generic()).hasSize(2).allSatisfy((perSecond) -> assertThat(perSecond).isPositive());
		assertThat(report).contains("the callback ran once in every batch: yes");
		assertThat(results.batch().plain()).hasSize(Benchmarks.BATCH_ROUNDS)
			.allSatisfy((round) -> assertThat(round.perSecond()).isPositive());
		assertThat(results.batch().batch()).hasSize(Benchmarks.BATCH_ROUNDS)
			.allSatisfy((round) -> assertThat(round.perSecond()).isPositive());
		int enqueues = Benchmarks.BATCH_ROUNDS + BatchBenchmark.ENQUEUE_PAIRS;
		assertThat(results.batch().plainEnqueues()).hasSize(enqueues).allSatisfy((s) -> assertThat(s).isPositive());
		assertThat(results.batch().batchEnqueues()).hasSize(enqueues).allSatisfy((s) -> assertThat(s).isPositive());
		assertThat(results.snapshot()).as("the snapshot scenario runs only when named").isNull();
		assertThat(results.dashboard()).as("the dashboard scenario runs only when named").isNull();
	}

	@Test
	void theHeldSnapshotScenarioMeasuresEachPhaseAndCompletesEveryJob() throws Exception {
		String url = TestDatabases.jdbcUrl(TestDatabase.POSTGRESQL);
		TestDatabases.fresh(TestDatabase.POSTGRESQL);
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		Report report = new Report(new PrintStream(printed, true, StandardCharsets.UTF_8));

		SnapshotBenchmark.Result result;
		try (BenchmarkDatabase database = new BenchmarkDatabase(url)) {
			result = new SnapshotBenchmark(database).run(200, 500, Duration.ofSeconds(2), Duration.ofSeconds(3),
					Duration.ofSeconds(2), Duration.ofSeconds(1), report);
		}

		System.out.print(printed.toString(StandardCharsets.UTF_8));
		// the report's session named while it holds its snapshot
		assertThat(printed.toString(StandardCharsets.UTF_8)).contains("idle in transaction", "during the hold");
		assertThat(result.before()).isPositive();
		assertThat(result.during()).isPositive();
		assertThat(result.after()).isPositive();
		assertThat(result.latencyDuring().count()).isPositive();
		assertThat(result.succeeded()).isEqualTo(result.enqueued());
	}


	@Test
	void dashboardScenarioTimesEveryPageAndTheDrainWithAndWithoutPolling() throws Exception {
		String url = TestDatabases.jdbcUrl(TestDatabase.POSTGRESQL);
		TestDatabases.fresh(TestDatabase.POSTGRESQL);
		BenchmarkOptions options = BenchmarkOptions.parse(new String[] { "--url", url, "--ceiling-seconds", "1",
				"--jobs", "2000", "--dashboard-jobs", "20000", "dashboard" });
		ByteArrayOutputStream printed = new ByteArrayOutputStream();

		Benchmarks.Results results = Benchmarks.run(options,
				new Report(new PrintStream(printed, true, StandardCharsets.UTF_8)));

		String report = printed.toString(StandardCharsets.UTF_8);
		System.out.print(report);
		assertThat(report).contains("filled        20,000 jobs", "overview", "jobs, newest 50", "dead letter", "nodes",
				"a dashboard at its defaults", "pages every 1 s");
		assertThat(results.dashboard().pages()).hasSize(15)
			.containsKeys("overview", "job detail", "dead letter groups, all dead (per interval)",
					"sample: chart, the filled minute", "sample: chart, a 30 s span")
			.allSatisfy((page, timing) -> assertThat(timing.count()).isEqualTo(30));
		assertThat(results.dashboard().drainPerSecond()).isPositive();
		assertThat(results.dashboard().polledDrainPerSecond()).isPositive();
		assertThat(results.dashboard().stressedDrainPerSecond()).isPositive();
		assertThat(results.dashboard().polls()).isPositive();
	}

}
