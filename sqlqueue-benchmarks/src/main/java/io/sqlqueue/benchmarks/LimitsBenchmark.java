package io.sqlqueue.benchmarks;

import java.util.ArrayList;
import java.util.List;

import io.sqlqueue.QueueLimits;
import io.sqlqueue.worker.QueueSettings;

/**
 * What a cluster-wide limit costs: the same drain with no limit and with a global concurrency equal to the
 * worker's handler count (so the limit never binds, and all it adds is its bookkeeping: the queue row locked and
 * the running jobs counted at each claim). The two alternate, {@code rounds} times each after one untimed drain,
 * so that both see the same machine; the ratio of the medians is the figure (target: at least 0.7). One drain
 * under a limit that binds (half the handlers) shows what a claim that may take only the free slots costs.
 */
final class LimitsBenchmark {

	/** Global concurrency equal to the handler count reaches at least this share of the unlimited drain. */
	static final double TARGET = 0.7;

	/** Jobs per second of each drain, unlimited and limited, in the order run. */
	record Result(List<Double> unlimited, List<Double> limited, double binding) {

		double ratio() {
			return median(this.limited) / median(this.unlimited);
		}

	}

	private final DrainBenchmark drains;

	LimitsBenchmark(BenchmarkDatabase database) {
		this.drains = new DrainBenchmark(database);
	}

	Result run(int jobs, int rounds, Report report) throws InterruptedException {
		QueueLimits limited = QueueLimits.none().withGlobalConcurrency(QueueSettings.DEFAULT_CONCURRENCY);
		this.drains.drain(jobs, limited);
		List<Double> unlimitedRates = new ArrayList<>();
		List<Double> limitedRates = new ArrayList<>();
		for (int round = 0; round < rounds; round++) {
			unlimitedRates.add(this.drains.drain(jobs, QueueLimits.none()).perSecond(jobs));
			limitedRates.add(this.drains.drain(jobs, limited).perSecond(jobs));
		}
		int half = QueueSettings.DEFAULT_CONCURRENCY / 2;
		double binding = this.drains.drain(jobs, QueueLimits.none().withGlobalConcurrency(half)).perSecond(jobs);
		Result result = new Result(unlimitedRates, limitedRates, binding);
		report.line("limits        unlimited %s jobs/s, global concurrency %d (= handlers) %s jobs/s (medians of %d,"
				+ " alternated): %.2fx of unlimited (target >= %.1fx) %s", Report.number(median(unlimitedRates)),
				QueueSettings.DEFAULT_CONCURRENCY, Report.number(median(limitedRates)), rounds, result.ratio(),
				TARGET, (result.ratio() >= TARGET) ? "met" : "MISSED");
		report.line("              each drain: unlimited %s, limited %s", numbers(unlimitedRates), numbers(limitedRates));
		report.line("              a binding limit, global concurrency %d of %d handlers: %s jobs/s, %.2fx of unlimited (each"
				+ " claim takes only the free slots, and a slot frees when its outcome is written)", half,
				QueueSettings.DEFAULT_CONCURRENCY, Report.number(binding), binding / median(unlimitedRates));
		return result;
	}

	static double median(List<Double> values) {
		return EnqueueBenchmark.median(values.stream().mapToDouble(Double::doubleValue).toArray());
	}

	private static String numbers(List<Double> values) {
		return String.join(" ", values.stream().map(Report::number).toList());
	}

}
