package io.sqlqueue.spring;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;

/**
 * Job counts per queue and state and the age of each queue's oldest due job, read from the database on a schedule
 * ({@code sqlqueue.metrics.sample-interval}) and shared by everything that shows them: the gauges and the dashboard
 * read the latest sample instead of counting rows each time they are asked.
 *
 * <pre>{@code
 * long ready = statistics.latest().count("mail", JobState.READY);
 * }</pre>
 *
 * <p>It samples only once something subscribed ({@link #subscribe(Consumer)}), so an application without meters or
 * the dashboard never counts.
 */
public class QueueStatistics implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(QueueStatistics.class);

	private final JdbcJobQueue queue;

	private final Duration interval;

	private final List<Consumer<Sample>> subscribers = new CopyOnWriteArrayList<>();

	private volatile Sample latest = new Sample(null, Map.of(), Map.of());

	private volatile ScheduledExecutorService sampler;

	/** Statistics of {@code queue}, sampled every {@code interval} (positive) once started. */
	public QueueStatistics(JdbcJobQueue queue, Duration interval) {
		this.queue = queue;
		this.interval = interval;
	}

	/** Asks to be told of every sample, on the sampling thread; keep {@code subscriber} fast and never throw. */
	public void subscribe(Consumer<Sample> subscriber) {
		this.subscribers.add(subscriber);
	}

	/** The latest sample: empty, with no {@link Sample#sampledAt()}, before the first. */
	public Sample latest() {
		return this.latest;
	}

	/** How often it samples. */
	public Duration interval() {
		return this.interval;
	}

	/** Reads the counts and ages now, keeps them as the latest sample and tells the subscribers. */
	public Sample sample() {
		Map<String, Map<JobState, Long>> counts = this.queue.countByQueueAndState();
		Map<String, Duration> ages = this.queue.oldestDueAge();
		Sample sample = new Sample(Instant.now(), counts, ages);
		this.latest = sample;
		for (Consumer<Sample> subscriber : this.subscribers) {
			subscriber.accept(sample);
		}
		return sample;
	}

	private void sampleQuietly() {
		try {
			sample();
		}
		catch (RuntimeException ex) {
			logger.debug("sqlqueue statistics could not be sampled: " + ex.getMessage());
		}
	}

	@Override
	public void start() {
		if (this.subscribers.isEmpty()) {
			return;
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-statistics");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::sampleQuietly, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
		this.sampler = executor;
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor = this.sampler;
		this.sampler = null;
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.sampler != null;
	}

	/**
	 * One sample.
	 *
	 * @param sampledAt when it was read, {@code null} before the first sample
	 * @param counts jobs per queue and state, every state of every queue that has jobs
	 * @param oldestDueAge per queue, how long its oldest due READY job has waited
	 */
	public record Sample(Instant sampledAt, Map<String, Map<JobState, Long>> counts, Map<String, Duration> oldestDueAge) {

		public Sample {
			counts = Map.copyOf(counts);
			oldestDueAge = Map.copyOf(oldestDueAge);
		}

		/** Jobs of {@code queue} in {@code state}, {@code 0} when the sample saw none. */
		public long count(String queue, JobState state) {
			return this.counts.getOrDefault(queue, Map.of()).getOrDefault(state, 0L);
		}

	}

}
