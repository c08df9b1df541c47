package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.MaintenanceSettings;

/**
 * What to run and how big.
 *
 * @param url the PostgreSQL JDBC URL
 * @param scenarios which of ceiling, drain, enqueue, db-scheduler, latency, soak to run (the ceiling always runs
 * first)
 * @param ceilingDuration how long each ceiling statement set runs
 * @param clients connections of the ceiling and threads of the single-enqueue benchmark
 * @param drainJobs jobs queued before the drain (of sqlqueue and of db-scheduler)
 * @param enqueueDuration how long the single-enqueue benchmark runs
 * @param batchSize jobs per {@code enqueueAll} call
 * @param batches {@code enqueueAll} calls measured
 * @param latencyWarmup unmeasured jobs before the latency samples
 * @param latencySamples measured jobs per notified latency variant
 * @param pollingSamples measured jobs of the polling-only variant (each waits up to a poll interval)
 * @param soakIntervals intervals of the soak
 * @param soakInterval the length of one soak interval
 * @param soakBacklog jobs the soak's producer keeps queued
 * @param soakVacuum the soak worker's vacuum interval (how often it vacuums the job table), for
 * servers with autovacuum off; {@code null} for none
 * @param soakVacuumDeadRows the soak worker vacuums the job table once it holds this many dead rows
 * ({@code JobWorker.Builder.vacuumDeadRows}, by default its default); 0 for none. With neither, vacuuming is
 * left to the server
 * @param hold how long the snapshot scenario holds its {@code REPEATABLE READ} transaction open
 * @param dashboardJobs jobs in the table for the dashboard scenario
 * @param batchJobs jobs of the batch scenario, enqueued plain and as one batch
 */
record BenchmarkOptions(String url, Set<String> scenarios, Duration ceilingDuration, int clients, int drainJobs,
		Duration enqueueDuration, int batchSize, int batches, int latencyWarmup, int latencySamples, int pollingSamples,
		int soakIntervals, Duration soakInterval, int soakBacklog, Duration soakVacuum,
		long soakVacuumDeadRows, Duration hold, int dashboardJobs, int batchJobs) {

	static final List<String> SCENARIOS = List.of("ceiling", "drain", "enqueue", "db-scheduler", "latency", "soak",
			"plans", "limits", "batch");

	/** Scenarios that run only when named, not with {@code all}: each takes minutes by design. */
	static final List<String> NAMED_ONLY = List.of("snapshot");

	static final String USAGE = """
			usage: java -jar sqlqueue-benchmarks.jar --url jdbc:postgresql://host:5432/db?user=... [options] [scenario...]
			  scenarios: ceiling drain enqueue db-scheduler latency soak plans limits batch all   (default: all; the SQL ceiling always runs first)
			             dashboard (not in all): each dashboard page's reads over --dashboard-jobs jobs, and a drain of
			             --jobs jobs with and without a dashboard polling
			             db-scheduler: the drain, schedule and scheduleBatch of db-scheduler on the same database
			             plans: a steady drain on a never-analysed table under forced generic and custom plans, 2 rounds
			             of 3 x --ceiling-seconds each
			             limits: the drain unlimited and with a global concurrency equal to the handler count, 3 rounds
			             alternated
			             batch: --batch-jobs jobs by one enqueueAll and as one batch with a callback, each drained,
			             3 rounds alternated
			             snapshot (only when named): 2,000 jobs/s on a backlog of 20,000 while another connection
			             holds a REPEATABLE READ transaction for --hold-seconds; 60 s before and 60 s after
			  --minutes N          soak length in minutes (default 10)
			  --ceiling-seconds N  duration of each ceiling statement set and of the single-enqueue run (default 10)
			  --jobs N             jobs queued for the drain (default 50000)
			  --dashboard-jobs N   jobs in the table for the dashboard scenario (default 2000000)
			  --batch-jobs N       jobs of the batch scenario, plain and as one batch (default 100000)
			  --samples N          latency samples per notified variant (default 500)
			  --hold-seconds N     snapshot: how long the snapshot is held (default 180)
			  --vacuum-seconds N   soak: the worker vacuums the job table every N s (its vacuum interval; for servers with autovacuum off)
			  --vacuum-dead-rows N soak: the worker vacuums the job table once it holds N dead rows (checked every second;
			                       default %d, the worker's own; 0 leaves it to the server's autovacuum)
			Use a database of its own: the benchmarks empty sqlqueue's tables, create schema sqlqueue_ceiling and table scheduled_tasks."""
		.formatted(MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS);

	/** The sizes issue 6 asks for. */
	static BenchmarkOptions defaults(String url) {
		return new BenchmarkOptions(url, new LinkedHashSet<>(SCENARIOS), Duration.ofSeconds(10), 8, 50_000,
				Duration.ofSeconds(10), 10_000, 7, 50, 500, 40, 10, Duration.ofMinutes(1), 20_000, null,
				MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS, Duration.ofMinutes(3), 2_000_000, 100_000);
	}

	static BenchmarkOptions parse(String[] args) {
		String url = null;
		Set<String> scenarios = new LinkedHashSet<>();
		Integer minutes = null;
		Integer ceilingSeconds = null;
		Integer jobs = null;
		Integer samples = null;
		Integer vacuumSeconds = null;
		Long vacuumDeadRows = null;
		Integer holdSeconds = null;
		Integer dashboardJobs = null;
		Integer batchJobs = null;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			switch (arg) {
				case "--url" -> url = value(args, ++i, arg);
				case "--minutes" -> minutes = positive(value(args, ++i, arg), arg);
				case "--ceiling-seconds" -> ceilingSeconds = positive(value(args, ++i, arg), arg);
				case "--jobs" -> jobs = positive(value(args, ++i, arg), arg);
				case "--samples" -> samples = positive(value(args, ++i, arg), arg);
				case "--vacuum-seconds" -> vacuumSeconds = positive(value(args, ++i, arg), arg);
				case "--hold-seconds" -> holdSeconds = positive(value(args, ++i, arg), arg);
				case "--vacuum-dead-rows" -> vacuumDeadRows = (long) wholeNumber(value(args, ++i, arg), arg, 0);
				case "--dashboard-jobs" -> dashboardJobs = positive(value(args, ++i, arg), arg);
				case "--batch-jobs" -> batchJobs = positive(value(args, ++i, arg), arg);
				case "all" -> scenarios.addAll(SCENARIOS);
				case "dashboard" -> scenarios.add(arg);
				default -> {
					if (!SCENARIOS.contains(arg) && !NAMED_ONLY.contains(arg)) {
						throw new IllegalArgumentException("Unknown argument '" + arg + "'");
					}
					scenarios.add(arg);
				}
			}
		}
		if (url == null) {
			throw new IllegalArgumentException("--url is required");
		}
		BenchmarkOptions defaults = defaults(url);
		Duration ceiling = (ceilingSeconds != null) ? Duration.ofSeconds(ceilingSeconds) : defaults.ceilingDuration();
		return new BenchmarkOptions(url, scenarios.isEmpty() ? defaults.scenarios() : scenarios, ceiling,
				defaults.clients(), (jobs != null) ? jobs : defaults.drainJobs(), ceiling, defaults.batchSize(),
				defaults.batches(), defaults.latencyWarmup(), (samples != null) ? samples : defaults.latencySamples(),
				defaults.pollingSamples(), (minutes != null) ? minutes : defaults.soakIntervals(),
				defaults.soakInterval(), defaults.soakBacklog(),
				(vacuumSeconds != null) ? Duration.ofSeconds(vacuumSeconds) : null,
				(vacuumDeadRows != null) ? vacuumDeadRows : defaults.soakVacuumDeadRows(),
				(holdSeconds != null) ? Duration.ofSeconds(holdSeconds) : defaults.hold(),
				(dashboardJobs != null) ? dashboardJobs : defaults.dashboardJobs(),
				(batchJobs != null) ? batchJobs : defaults.batchJobs());
	}

	private static String value(String[] args, int index, String option) {
		if (index >= args.length) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return args[index];
	}

	private static int positive(String text, String option) {
		return wholeNumber(text, option, 1);
	}

	private static int wholeNumber(String text, String option, int least) {
		try {
			int value = Integer.parseInt(text);
			if (value >= least) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(option + " needs a whole number of at least " + least + ", got '" + text
				+ "'");
	}

}
