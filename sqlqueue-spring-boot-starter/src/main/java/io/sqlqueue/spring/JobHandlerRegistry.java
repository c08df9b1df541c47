package io.sqlqueue.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.ExceptionClassifier;
import io.sqlqueue.worker.QueueSettings;

/**
 * Holds the {@link JobHandler} methods of the application and runs them: it registers their job
 * types with the queue as soon as every singleton exists (so typed {@code enqueue(payload)} works,
 * also on enqueue-only nodes), then builds and starts the {@link JobWorker} when the context
 * starts, and stops it gracefully within {@code sqlqueue.shutdown-timeout}.
 */
public class JobHandlerRegistry implements SmartLifecycle {

	/** Starts after most beans and stops before them, as Spring Kafka's listener containers do. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 100;

	private static final Log logger = LogFactory.getLog(JobHandlerRegistry.class);

	private final JdbcJobQueue queue;

	private final SqlQueueProperties properties;

	private final ObjectProvider<JobWorkerCustomizer> customizers;

	private final List<JobHandlerEndpoint> endpoints = new ArrayList<>();

	private volatile JobWorker worker;

	/**
	 * A registry for {@code queue}, configured by {@code properties}; its worker is customized by
	 * {@code customizers} in their order.
	 */
	public JobHandlerRegistry(JdbcJobQueue queue, SqlQueueProperties properties,
			ObjectProvider<JobWorkerCustomizer> customizers) {
		this.queue = queue;
		this.properties = properties;
		this.customizers = customizers;
		queue.types().setDefaultMaxAttempts(properties.defaultQueueSettings().maxAttempts());
		properties.getQueues()
			.keySet()
			.forEach((name) -> queue.types().setQueueMaxAttempts(name, properties.queueSettings(name).maxAttempts()));
	}

	/** Adds handlers and registers their job types with the queue. */
	public synchronized void register(List<JobHandlerEndpoint> found) {
		for (JobHandlerEndpoint endpoint : found) {
			HandlerSpec<?> spec = endpoint.spec();
			Class<?> payloadClass = (spec.payloadType() instanceof Class<?> c) ? c : null;
			this.queue.types().register(spec.type(), payloadClass, spec.queue(), spec.maxAttempts());
			this.endpoints.add(endpoint);
		}
	}

	/** The handlers found on beans. */
	public synchronized List<JobHandlerEndpoint> endpoints() {
		return List.copyOf(this.endpoints);
	}

	/**
	 * The worker: started, or with {@code sqlqueue.worker.mode=manual} built but never started (run its jobs with
	 * {@link JobWorker#drain()}); empty before start, after stop, and when {@code sqlqueue.worker.enabled=false}.
	 */
	public Optional<JobWorker> worker() {
		return Optional.ofNullable(this.worker);
	}

	@Override
	public synchronized void start() {
		if (this.worker != null || !this.properties.getWorker().isEnabled()) {
			return;
		}
		storeQueueLimits();
		JobWorker built = buildWorker();
		if (this.properties.getWorker().getMode() == SqlQueueProperties.Mode.MANUAL) {
			logger.info("sqlqueue worker " + built.workerId() + " is in manual mode (sqlqueue.worker.mode=manual): it runs"
					+ " jobs only when JobWorker.drain() is called");
		}
		else {
			built.start();
		}
		this.worker = built;
	}

	/** Stores the limits each queue configures with the queue, where every node reads them. */
	private void storeQueueLimits() {
		for (String name : this.properties.getQueues().keySet()) {
			QueueLimits limits = this.properties.queueLimits(name);
			if (limits != null) {
				this.queue.updateQueueLimits(name, limits);
			}
		}
	}

	JobWorker buildWorker() {
		SqlQueueProperties.Worker workerProperties = this.properties.getWorker();
		JobWorker.Builder builder = JobWorker.builder(this.queue)
			.defaults(this.properties.defaultQueueSettings())
			.maintenance(this.properties.maintenanceSettings())
			.maintenance(workerProperties.isMaintenance())
			.listen(workerProperties.isListen())
			.outcomeBacklog(workerProperties.getOutcomeBacklog())
			.exceptionClassifier(ExceptionClassifier.defaults().withNotRetryable(workerProperties.getNotRetryableExceptions()));
		if (workerProperties.getId() != null) {
			builder.workerId(workerProperties.getId());
		}
		for (String name : this.properties.getQueues().keySet()) {
			builder.queue(name, this.properties.queueSettings(name));
		}
		for (JobHandlerEndpoint endpoint : this.endpoints) {
			QueueSettings settings = this.properties.queueSettings(endpoint.spec().effectiveQueue());
			try {
				builder.handler(endpoint.specWithQueueBackoff(settings.backoff()));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException("@JobHandler on " + endpoint.describe() + " does not fit the backoff of queue '"
						+ endpoint.spec().effectiveQueue() + "': " + ex.getMessage(), ex);
			}
			if (endpoint.schedule() != null) {
				builder.schedule(endpoint.schedule());
			}
		}
		this.properties.recurringSchedules().forEach(builder::schedule);
		this.customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

	@Override
	public void stop() {
		JobWorker running;
		synchronized (this) {
			running = this.worker;
			this.worker = null;
		}
		if (running != null && !running.stop(this.properties.getShutdownTimeout())) {
			logger.warn("sqlqueue handlers still running after sqlqueue.shutdown-timeout ("
					+ this.properties.getShutdownTimeout() + ") were interrupted; their jobs were released");
		}
	}

	@Override
	public boolean isRunning() {
		return this.worker != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
