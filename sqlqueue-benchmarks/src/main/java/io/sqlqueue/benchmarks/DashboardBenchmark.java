package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.worker.JobWorker;

/**
 * The dashboard at scale: with {@code jobs} jobs in the table (most succeeded, some ready, dead and cancelled, over
 * four queues), the server time of each page's reads, as the dashboard's endpoints make them (the counts come from
 * the shared sample, timed apart: it runs once per sample interval, not per page view, as does the chart's count of
 * the outcomes recorded since the previous sample); then how much a drain slows down while a dashboard polls.
 */
final class DashboardBenchmark {

	/** What the dashboard scenario measured. */
	record Result(Map<String, Percentiles> pages, double drainPerSecond, double polledDrainPerSecond,
			double stressedDrainPerSecond, long polls) {
	}

	private static final int SAMPLES = 30;

	private final BenchmarkDatabase database;

	DashboardBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	Result run(int jobs, int drainJobs, Report report) throws InterruptedException {
		this.database.reset();
		JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).build();
		long filled = fill(jobs);
		report.line("filled        %,d jobs (about 96%% succeeded, 2%% ready, 1%% dead, 1%% cancelled, 4 queues)", filled);
		long middle = jobs / 2;
		String deadId = String.valueOf(middle - (middle % 100) + 97);
		Map<String, Supplier<Object>> pages = new LinkedHashMap<>();
		pages.put("sample (shared, per interval)", () -> List.of(queue.countByQueueAndState(), queue.oldestDueAge()));
		pages.put("overview", () -> List.of(queue.queueControls(), queue.nodes()));
		pages.put("queues", queue::queueControls);
		pages.put("jobs, newest 50", () -> queue.list(JobQuery.all().newestFirst().limit(50)));
		pages.put("jobs, q1 READY newest 50", () -> queue.list(JobQuery.all().inQueue("q1").inState(JobState.READY)
			.newestFirst().limit(50)));
		pages.put("jobs, q2 SUCCEEDED, middle page", () -> queue.list(JobQuery.all().inQueue("q2")
			.inState(JobState.SUCCEEDED).newestFirst().beforeId(middle).limit(50)));
		pages.put("jobs, DEAD newest 50", () -> queue.list(JobQuery.all().inState(JobState.DEAD).newestFirst().limit(50)));
		pages.put("jobs, q3 RUNNING (none)", () -> queue.list(JobQuery.all().inQueue("q3").inState(JobState.RUNNING)
			.newestFirst().limit(50)));
		pages.put("jobs, by unique key", () -> queue.list(JobQuery.all().withUniqueKey("key-" + middle)));
		pages.put("job detail", () -> queue.find(Long.parseLong(deadId)));
		pages.put("dead letter groups, all dead (per interval)", () -> queue.deadLetterGroups(500));
		Instant filledAt = queue.databaseTime();
		pages.put("sample: chart, the filled minute", () -> queue.outcomeCounts(filledAt.minusSeconds(60), filledAt.plusSeconds(1)));
		pages.put("sample: chart, a 30 s span", () -> queue.outcomeCounts(filledAt.plusSeconds(1), filledAt.plusSeconds(31)));
		pages.put("recurring", queue::recurringSchedules);
		pages.put("nodes", queue::nodes);
		Map<String, Percentiles> timings = new LinkedHashMap<>();
		pages.forEach((name, page) -> {
			Percentiles timing = time(page);
			timings.put(name, timing);
			report.line("%-32s p50 %7.2f ms   p95 %7.2f ms   max %7.2f ms%s", name, timing.p50(), timing.p95(),
					timing.max(),
					(!name.startsWith("sample") && !name.endsWith("(per interval)") && timing.p95() >= 100)
							? "   OVER the 100 ms target" : "");
		});
		double plain = 0;
		double polled = 0;
		double stressed = 0;
		AtomicLong polls = new AtomicLong();
		drain(queue, drainJobs, null, null, null, polls);
		for (int round = 0; round < 2; round++) {
			plain += drain(queue, drainJobs, null, null, null, polls) / 2;
			polled += drain(queue, drainJobs, pages, Duration.ofSeconds(5), Duration.ofSeconds(30), polls) / 2;
			stressed += drain(queue, drainJobs, pages, Duration.ofSeconds(1), Duration.ofSeconds(5), polls) / 2;
		}
		report.line("drain         %,d jobs alone: %s jobs/s (mean of 2 rounds, alternating with the runs below)",
				drainJobs, Report.number(plain));
		report.line("              a dashboard at its defaults (pages every 5 s, sample every 30 s): %s jobs/s = %.1f%%"
				+ " slower (target <= 5%%)", Report.number(polled), (1 - polled / plain) * 100);
		report.line("              pages every 1 s, sample every 5 s: %s jobs/s = %.1f%% slower; %,d reads in all",
				Report.number(stressed), (1 - stressed / plain) * 100, polls.get());
		return new Result(timings, plain, polled, stressed, polls.get());
	}

	/** Inserts {@code jobs} rows in one statement, as enqueue would have left them after running. */
	private long fill(int jobs) {
		JdbcTemplate jdbc = new JdbcTemplate(this.database.dataSource());
		jdbc.update("INSERT INTO sqlqueue_job (queue, type, payload, state, run_at, max_attempts, attempt, unique_key,"
				+ " last_error, created_at, finished_at)"
				+ " SELECT 'q' || (n % 4), 'report-' || (n % 7), jsonb_build_object('n', n, 'text', 'payload of job ' || n),"
				+ " CASE WHEN n % 100 < 96 THEN 2 WHEN n % 100 < 98 THEN 0 WHEN n % 100 = 98 THEN 4 ELSE 3 END,"
				+ " now() - make_interval(secs => (" + jobs + " - n) / 100.0), 10, 1, 'key-' || n,"
				+ " CASE WHEN n % 100 = 99 THEN 'java.lang.IllegalStateException: failure ' || (n % 5) ELSE NULL END,"
				+ " now() - make_interval(secs => (" + jobs + " - n) / 100.0),"
				+ " CASE WHEN n % 100 < 96 OR n % 100 >= 98 THEN now() ELSE NULL END"
				+ " FROM generate_series(1, ?) AS n", jobs);
		this.database.vacuum();
		Long count = jdbc.queryForObject("SELECT COUNT(*) FROM sqlqueue_job", Long.class);
		return (count != null) ? count : 0;
	}

	private static Percentiles time(Supplier<Object> page) {
		for (int i = 0; i < 5; i++) {
			page.get();
		}
		List<Long> nanos = new ArrayList<>();
		for (int i = 0; i < SAMPLES; i++) {
			long start = System.nanoTime();
			page.get();
			nanos.add(System.nanoTime() - start);
		}
		return Percentiles.ofNanos(nanos);
	}

	/**
	 * Drains {@code jobs} no-op jobs of their own queue next to the filled table; with {@code pages}, a dashboard
	 * reads the overview and the first jobs page every {@code pageEvery}, and the sample, the chart's count and the
	 * dead letter's groups (which the dashboard counts at most once per sample interval) run every {@code sampleEvery}.
	 * @return jobs per second
	 */
	private double drain(JdbcJobQueue queue, int jobs, Map<String, Supplier<Object>> pages, Duration pageEvery,
			Duration sampleEvery, AtomicLong polls) throws InterruptedException {
		new JdbcTemplate(this.database.dataSource()).update("DELETE FROM sqlqueue_job WHERE queue = ?",
				JobQueue.DEFAULT_QUEUE);
		FinishedCounter counter = new FinishedCounter();
		JdbcJobQueue drained = JdbcJobQueue.builder(this.database.dataSource()).listener(counter).build();
		JobWorker worker = JobWorker.builder(drained).handler(NoopJob.TYPE, NoopJob.class, (job, context) -> {
		}).build();
		DrainBenchmark.enqueue(drained, jobs);
		ScheduledExecutorService dashboard = Executors.newScheduledThreadPool(2);
		if (pages != null) {
			dashboard.scheduleAtFixedRate(() -> {
				pages.get("overview").get();
				pages.get("jobs, newest 50").get();
				polls.addAndGet(2);
			}, 0, pageEvery.toMillis(), TimeUnit.MILLISECONDS);
			// the sampler counts the outcomes of the span since its previous sample for the chart, as the dashboard does
			AtomicReference<Instant> counted = new AtomicReference<>(queue.databaseTime().minusSeconds(5));
			dashboard.scheduleAtFixedRate(() -> {
				pages.get("sample (shared, per interval)").get();
				pages.get("dead letter groups, all dead (per interval)").get();
				Instant until = queue.databaseTime().minusSeconds(5);
				queue.outcomeCounts(counted.getAndSet(until), until);
				polls.addAndGet(3);
			}, 0, sampleEvery.toMillis(), TimeUnit.MILLISECONDS);
		}
		long start = System.nanoTime();
		worker.start();
		try {
			counter.await(jobs, Duration.ofSeconds(Math.max(120, jobs / 200)));
		}
		finally {
			dashboard.shutdownNow();
			dashboard.awaitTermination(10, TimeUnit.SECONDS);
			worker.stop(Duration.ofSeconds(10));
		}
		return jobs / ((counter.lastNanos() - start) / 1e9);
	}

}
