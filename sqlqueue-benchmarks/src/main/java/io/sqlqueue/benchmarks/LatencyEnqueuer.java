package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.sqlqueue.JdbcJobQueue;

/**
 * The enqueuer the latency benchmark starts in a JVM of its own: enqueues {@code warmup} unmeasured
 * jobs, then {@code samples} jobs one at a time, each carrying the time it was sent, with a random
 * pause before each so the workers are idle when it arrives.
 *
 * <p>Arguments: {@code url warmup samples maxPauseMillis notifications}.
 */
public final class LatencyEnqueuer {

	private LatencyEnqueuer() {
	}

	public static void main(String[] args) throws InterruptedException {
		if (args.length != 5) {
			System.err.println("usage: LatencyEnqueuer <jdbc-url> <warmup> <samples> <max-pause-ms> <notifications>");
			System.exit(2);
		}
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setMaximumPoolSize(2);
		config.setPoolName("latency-enqueuer");
		try (HikariDataSource dataSource = new HikariDataSource(config)) {
			JdbcJobQueue queue = JdbcJobQueue.builder(dataSource).notifications(Boolean.parseBoolean(args[4])).build();
			send(queue, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Duration.ofMillis(Long.parseLong(args[3])));
			// the last notification may still be on its way
			queue.close();
		}
	}

	/** Enqueues the warm-up jobs (negative numbers), then the measured ones. */
	static void send(JdbcJobQueue queue, int warmup, int samples, Duration maxPause) throws InterruptedException {
		for (int n = -warmup; n < samples; n++) {
			pause(maxPause);
			queue.enqueue(NoopJob.TYPE, new NoopJob(System.nanoTime(), n));
		}
	}

	/**
	 * Sleeps a random time up to {@code maxPause}, at least a few milliseconds, so that the previous
	 * sample has finished and both sides are idle when the next one is sent.
	 */
	static void pause(Duration maxPause) throws InterruptedException {
		long pause = maxPause.toMillis();
		Thread.sleep(Math.min(pause, 5) + ThreadLocalRandom.current().nextLong(Math.max(1, pause - 5)));
	}

}
