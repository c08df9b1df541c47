package io.sqlqueue.benchmarks;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.sqlqueue.worker.Retention;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.MaintenanceSettings;

/**
 * The benchmark harness of issue 6: measures the SQL ceiling on this machine, then sqlqueue's
 * drain throughput, enqueue throughput, enqueue-to-start latency and a soak against it.
 *
 * <pre>
 * java -jar sqlqueue-benchmarks/target/sqlqueue-benchmarks.jar --url jdbc:postgresql://127.0.0.1:5432/bench?user=postgres all
 * </pre>
 */
public final class Benchmarks {

	/** How long the soak keeps succeeded jobs; see {@link #soakRetention()}. */
	static final Duration SOAK_RETENTION = Duration.ofSeconds(10);

	/** How often the soak's worker deletes succeeded jobs past their retention. */
	static final Duration SOAK_CLEAN_INTERVAL = Duration.ofSeconds(5);

	/** Everything one run measured, for the smoke test. */
	record Results(SqlCeiling.Figures ceiling, DrainBenchmark.Result drain, EnqueueBenchmark.Result enqueue,
			DbSchedulerBenchmark.Result dbScheduler, Percentiles latencyFloor, List<LatencyBenchmark.Result> latency,
			SoakBenchmark.Result soak, PlanCacheBenchmark.Result plans, LimitsBenchmark.Result limits,
			SnapshotBenchmark.Result snapshot, DashboardBenchmark.Result dashboard, BatchBenchmark.Result batch) {
	}

	/** The held snapshot scenario's enqueue rate, jobs a second. */
	static final int SNAPSHOT_RATE = 2_000;

	/** The jobs queued before the held snapshot scenario's producer starts. */
	static final int SNAPSHOT_BACKLOG = 20_000;

	/** How long the held snapshot scenario measures before the hold, and after it. */
	static final Duration SNAPSHOT_PHASE = Duration.ofSeconds(60);

	/** Rounds of the batch scenario, each a plain drain and a batch drain. */
	static final int BATCH_ROUNDS = 3;

	private Benchmarks() {
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
				System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
		BenchmarkOptions options;
		try {
			options = BenchmarkOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println(BenchmarkOptions.USAGE);
			System.exit(2);
			return;
		}
		run(options, new Report(System.out));
	}

	static Results run(BenchmarkOptions options, Report report) throws Exception {
		try (BenchmarkDatabase database = new BenchmarkDatabase(options.url())) {
			describeMachine(database, report);
			report.heading("SQL ceiling (statements of shared/bench, " + options.clients() + " JDBC clients, "
					+ options.ceilingDuration().toSeconds() + " s each)");
			SqlCeiling sqlCeiling = new SqlCeiling(database, options.clients(), options.ceilingDuration());
			SqlCeiling.Figures ceiling = sqlCeiling.measure(report);
			DrainBenchmark.Result drain = null;
			EnqueueBenchmark.Result enqueue = null;
			DbSchedulerBenchmark.Result dbScheduler = null;
			List<LatencyBenchmark.Result> latency = new ArrayList<>();
			Percentiles latencyFloor = null;
			SoakBenchmark.Result soak = null;
			PlanCacheBenchmark.Result plans = null;
			LimitsBenchmark.Result limits = null;
			DashboardBenchmark.Result dashboard = null;
			if (options.scenarios().contains("drain")) {
				report.heading("Drain: " + options.drainJobs() + " queued no-op jobs, default worker settings");
				drain = new DrainBenchmark(database).run(options.drainJobs(), ceiling, report);
			}
			if (options.scenarios().contains("enqueue")) {
				report.heading("Enqueue");
				enqueue = new EnqueueBenchmark(database).run(options.clients(), options.enqueueDuration(),
						options.batchSize(), options.batches(), sqlCeiling, ceiling, report);
			}
			if (options.scenarios().contains("db-scheduler")) {
				report.heading("db-scheduler " + DbSchedulerBenchmark.VERSION + " on the same database, no-op tasks");
				dbScheduler = new DbSchedulerBenchmark(database).run(options.drainJobs(), options.clients(),
						options.enqueueDuration(), options.batchSize(), options.batches(), report);
				compare(drain, enqueue, dbScheduler, report);
			}
			if (options.scenarios().contains("latency")) {
				report.heading("Latency, enqueue to handler start, idle workers (target p50 <= 3 ms, p99 <= 15 ms;"
						+ " db-scheduler p50 530 ms polling / 2.9 ms same JVM only, JobRunr p50 ~2 s)");
				Duration notifiedPause = Duration.ofMillis(30);
				report.line("latency floor: insert-one-row, then pg_notify, on one connection; a LISTENing connection"
						+ " claims the row with claim-complete-1's claim on the notification");
				latencyFloor = new WakeUpFloor(database).measure(options.latencyWarmup(), options.latencySamples(),
						notifiedPause, report);
				LatencyBenchmark benchmark = new LatencyBenchmark(database);
				latency.add(benchmark.run(LatencyBenchmark.Variant.SAME_JVM, options.latencyWarmup(),
						options.latencySamples(), notifiedPause, latencyFloor, report));
				latency.add(benchmark.run(LatencyBenchmark.Variant.OTHER_JVM, options.latencyWarmup(),
						options.latencySamples(), notifiedPause, latencyFloor, report));
				latency.add(benchmark.run(LatencyBenchmark.Variant.OTHER_JVM_POLLING, 0, options.pollingSamples(),
						LatencyBenchmark.pollInterval(), latencyFloor, report));
				report.line("              polling only is bounded by the poll interval (%d ms)",
						LatencyBenchmark.pollInterval().toMillis());
			}
			if (options.scenarios().contains("plans")) {
				report.heading("Plans: " + PlanCacheBenchmark.HANDLERS + " handlers of 1 ms jobs, " + PlanCacheBenchmark.BACKLOG
						+ " queued, a never-analysed table, under forced custom and forced generic plans");
				plans = new PlanCacheBenchmark(database).run(2, options.ceilingDuration().multipliedBy(3), report);
			}
			if (options.scenarios().contains("limits")) {
				report.heading("Limits: " + options.drainJobs() + " queued no-op jobs, unlimited and with a global"
						+ " concurrency equal to the handler count, alternated");
				limits = new LimitsBenchmark(database).run(options.drainJobs(), 3, report);
			}
			BatchBenchmark.Result batch = null;
			if (options.scenarios().contains("batch")) {
				report.heading("Batch: " + String.format(Locale.ROOT, "%,d", options.batchJobs()) + " no-op jobs by one"
						+ " enqueueAll and as one batch with an onComplete callback, each drained by one worker with the"
						+ " default settings, " + BATCH_ROUNDS + " rounds alternated");
				batch = new BatchBenchmark(database).run(options.batchJobs(), BATCH_ROUNDS, report);
			}
			if (options.scenarios().contains("soak")) {
				report.heading("Soak: " + options.soakIntervals() + " x " + options.soakInterval().toSeconds()
						+ " s, backlog " + options.soakBacklog() + ", succeeded jobs kept " + SOAK_RETENTION.toSeconds()
						+ " s, deleted every " + SOAK_CLEAN_INTERVAL.toSeconds() + " s" + soakVacuum(options));
				soak = new SoakBenchmark(database).run(options.soakIntervals(), options.soakInterval(),
						options.soakBacklog(), soakRetention(), SOAK_CLEAN_INTERVAL, options.soakVacuum(),
						options.soakVacuumDeadRows(), ceiling,
						report);
			}
			SnapshotBenchmark.Result snapshot = null;
			if (options.scenarios().contains("snapshot")) {
				report.heading("Held snapshot: " + SNAPSHOT_RATE + " jobs/s on a backlog of " + SNAPSHOT_BACKLOG
						+ ", one worker with the default settings, a REPEATABLE READ held " + options.hold().toSeconds()
						+ " s by another connection");
				snapshot = new SnapshotBenchmark(database).run(SNAPSHOT_RATE, SNAPSHOT_BACKLOG, SNAPSHOT_PHASE,
						options.hold(), SNAPSHOT_PHASE, Duration.ofSeconds(10), report);
			}
			if (options.scenarios().contains("dashboard")) {
				report.heading("Dashboard: each page's reads over " + String.format(Locale.ROOT, "%,d", options.dashboardJobs())
						+ " jobs (target p95 < 100 ms), and a drain with the dashboard polling (target <= 5% slower)");
				dashboard = new DashboardBenchmark(database).run(options.dashboardJobs(), options.drainJobs(), report);
			}
			return new Results(ceiling, drain, enqueue, dbScheduler, latencyFloor, latency, soak, plans, limits,
					snapshot, dashboard, batch);
		}
	}

	/** How the soak's worker vacuums the job table, for the soak's heading. */
	private static String soakVacuum(BenchmarkOptions options) {
		String vacuum = "";
		if (options.soakVacuum() != null) {
			vacuum += ", the worker vacuums the job table every " + options.soakVacuum().toSeconds() + " s";
		}
		if (options.soakVacuumDeadRows() > 0) {
			vacuum += ", the worker vacuums the job table at " + options.soakVacuumDeadRows() + " dead rows"
					+ ((options.soakVacuumDeadRows() == MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS) ? " (its default)" : "");
		}
		return vacuum.isEmpty() ? ", no worker vacuum: left to the server's autovacuum" : vacuum;
	}

	/** sqlqueue's figures over db-scheduler's, where both were measured in this run. */
	private static void compare(DrainBenchmark.Result drain, EnqueueBenchmark.Result enqueue,
			DbSchedulerBenchmark.Result dbScheduler, Report report) {
		List<String> ratios = new ArrayList<>();
		if (drain != null) {
			ratios.add("drain " + Report.ratio(drain.perSecond(), dbScheduler.drainPerSecond()));
		}
		ratios.add(String.format(Locale.ROOT, "enqueueAll over scheduleBatch %.2f× (median of the pairs)",
				dbScheduler.enqueueAllRatio()));
		if (enqueue != null) {
			ratios.add("single enqueue over schedule " + Report.ratio(enqueue.singlePerSecond(), dbScheduler.singlePerSecond()));
		}
		report.line("sqlqueue over db-scheduler, both measured in this run: %s", String.join(", ", ratios));
	}

	/**
	 * Succeeded jobs are kept 10 s, so that retention deletes run from the soak's first minute on: with
	 * a minute's retention the first minute deleted nothing and was not the steady state the later
	 * ones were compared with.
	 */
	static Retention soakRetention() {
		return new Retention(SOAK_RETENTION, Duration.ofDays(14), Duration.ofDays(14));
	}

	private static void describeMachine(BenchmarkDatabase database, Report report) throws Exception {
		String product;
		String settings;
		try (Connection connection = database.connect(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(SqlScript.statements("settings.sql").get(0))) {
			DatabaseMetaData meta = connection.getMetaData();
			product = meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion();
			rs.next();
			settings = "autovacuum=" + rs.getString(1) + " synchronous_commit=" + rs.getString(2) + " shared_buffers="
					+ rs.getString(3) + " max_connections=" + rs.getString(4);
			if (!"on".equals(rs.getString(1))) {
				settings += " (autovacuum off: only the worker's own vacuum clears dead rows, by default at "
						+ MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS + "; see --vacuum-dead-rows and --vacuum-seconds)";
			}
		}
		Runtime runtime = Runtime.getRuntime();
		report.line("machine: %d cores, %s %s, Java %s (%s), max heap %d MiB, load average %.1f; database %s",
				runtime.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
				System.getProperty("java.version"), System.getProperty("java.vm.name"), runtime.maxMemory() / 1048576,
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), product);
		report.line("server: %s", settings);
	}

}
