package io.sqlqueue.benchmarks;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * Issue 21's workload, under PostgreSQL's two plan cache modes: 16 handlers of 1 ms jobs, a table that starts
 * empty and never analysed, a producer keeping 4,000 jobs queued. Once with {@code plan_cache_mode =
 * force_custom_plan} and once with {@code force_generic_plan} on the worker's connections, alternating over
 * the rounds; the target is a generic drain at least 0.8x the custom one. A plan cached while the table was
 * empty made the generic drain stall (seconds per batch of successes) before the cached statements were shaped
 * so that any plan of theirs is an index walk, and the others planned at each execution.
 */
final class PlanCacheBenchmark {

	static final int HANDLERS = 16;

	static final int BACKLOG = 4000;

	/** What the rounds measured, in jobs per second. */
	record Result(List<Double> custom, List<Double> generic) {

		double ratio() {
			return median(this.generic) / median(this.custom);
		}

	}

	private final BenchmarkDatabase database;

	PlanCacheBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	Result run(int rounds, Duration each, Report report) throws InterruptedException {
		List<Double> custom = new ArrayList<>();
		List<Double> generic = new ArrayList<>();
		for (int round = 0; round < rounds; round++) {
			// alternate which goes first, so that a drifting machine favours neither
			boolean customFirst = round % 2 == 0;
			for (String mode : customFirst ? List.of("force_custom_plan", "force_generic_plan")
					: List.of("force_generic_plan", "force_custom_plan")) {
				double perSecond = drain(mode, each);
				(mode.equals("force_custom_plan") ? custom : generic).add(perSecond);
				report.line("plans         round %d, %-18s %s jobs/s", round + 1, mode, Report.number(perSecond));
			}
		}
		Result result = new Result(custom, generic);
		report.line("plans         median %s jobs/s under forced generic plans against %s under custom plans: %.2fx"
				+ " (target >= 0.80x: %s)", Report.number(median(generic)), Report.number(median(custom)), result.ratio(),
				(result.ratio() >= 0.8) ? "met" : "MISSED");
		return result;
	}

	private double drain(String planCacheMode, Duration duration) throws InterruptedException {
		this.database.recreate();
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.database.url() + (this.database.url().contains("?") ? "&" : "?") + "options="
				+ URLEncoder.encode("-c plan_cache_mode=" + planCacheMode, StandardCharsets.UTF_8).replace("+", "%20"));
		config.setMaximumPoolSize(12);
		try (HikariDataSource dataSource = new HikariDataSource(config)) {
			String mode = new JdbcTemplate(dataSource).queryForObject("SELECT current_setting('plan_cache_mode')",
					String.class);
			if (!planCacheMode.equals(mode)) {
				throw new IllegalStateException("The connection's plan_cache_mode is " + mode + ", not " + planCacheMode);
			}
			JdbcJobQueue queue = JdbcJobQueue.builder(dataSource).build();
			FinishedCounter counter = new FinishedCounter();
			queue.addListener(counter);
			JobWorker worker = JobWorker.builder(queue)
				.queue("steady", QueueSettings.defaults().withConcurrency(HANDLERS))
				.handler(NoopJob.TYPE, NoopJob.class, (job, context) -> Thread.sleep(1))
				.build();
			List<JobRequest> batch = new ArrayList<>();
			for (int n = 0; n < 500; n++) {
				batch.add(JobRequest.of(NoopJob.TYPE, new NoopJob(0, n), EnqueueOptions.defaults().withQueue("steady")));
			}
			long enqueued = 0;
			worker.start();
			long end = System.nanoTime() + duration.toNanos();
			long finished;
			try {
				while (System.nanoTime() < end) {
					if (enqueued - counter.succeeded() < BACKLOG) {
						queue.enqueueAll(batch);
						enqueued += batch.size();
					}
					else {
						Thread.sleep(5);
					}
				}
				finished = counter.succeeded();
			}
			finally {
				worker.stop(Duration.ofSeconds(10));
			}
			return finished / (duration.toNanos() / 1e9);
		}
	}

	static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

}
