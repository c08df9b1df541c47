package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;

/**
 * The enqueuer the latency benchmark starts in a JVM of its own: first enqueues a burst of jobs to a
 * queue no worker works, so that the JIT has compiled the enqueue path as in a running application,
 * then {@code warmup} unmeasured jobs, then {@code samples} jobs one at a time, each carrying the
 * time it was sent, with a random pause before each so the workers are idle when it arrives.
 *
 * <p>Arguments: {@code url warmup samples maxPauseMillis notifications}.
 */
public final class LatencyEnqueuer {

	/** The queue of the warm-up burst, which no worker works. */
	static final String WARM_UP_QUEUE = "latency-warm-up";

	/** Enqueues of the warm-up burst for each unmeasured paced job. */
	static final int WARM_UP_BURST_PER_JOB = 40;

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
			int warmup = Integer.parseInt(args[1]);
			warmUp(queue, warmup);
			send(queue, warmup, Integer.parseInt(args[2]), Duration.ofMillis(Long.parseLong(args[3])));
			// the last notification may still be on its way
			queue.close();
		}
	}

	/**
	 * Enqueues {@code warmup} times {@link #WARM_UP_BURST_PER_JOB} jobs to {@link #WARM_UP_QUEUE}
	 * back to back: a JVM that has enqueued a few hundred jobs still runs the enqueue path (payload
	 * encoding, binding, the pool) interpreted or barely compiled, which cost a third of a
	 * millisecond a job in this benchmark's first runs.
	 */
	static void warmUp(JdbcJobQueue queue, int warmup) {
		EnqueueOptions options = EnqueueOptions.defaults().withQueue(WARM_UP_QUEUE);
		for (int n = 0; n < warmup * WARM_UP_BURST_PER_JOB; n++) {
			queue.enqueue(NoopJob.TYPE, new NoopJob(System.nanoTime(), -1), options);
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
