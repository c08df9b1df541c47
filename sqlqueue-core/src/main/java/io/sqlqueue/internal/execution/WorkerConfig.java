package io.sqlqueue.internal.execution;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.internal.QueueServices;
import io.sqlqueue.worker.MaintenanceSettings;
import io.sqlqueue.worker.ExceptionClassifier;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.QueueSettings;

/**
 * What a {@link WorkerNode} runs, as the worker's builder resolved it.
 *
 * @param services the queue object's services
 * @param handlers the handlers by job type
 * @param queues the queues to work, with their settings
 * @param workerId stored in {@code locked_by} of the jobs it runs
 * @param listen whether to LISTEN for PostgreSQL notifications
 * @param maintenance how the cluster is maintained, and how often this node heartbeats
 * @param maintains whether this node takes part in the election of the maintenance leader
 * @param schedules the recurring schedules to tick
 * @param classifier which failures are worth another attempt
 * @param clock the clock of this node's timers and health times
 * @param outcomeBacklog the most outcomes waiting to be written before handlers wait
 * @param slowFlush a batch of outcomes whose writing takes longer is logged
 */
public record WorkerConfig(QueueServices services, Map<String, HandlerSpec<?>> handlers,
		Map<String, QueueSettings> queues, String workerId, boolean listen, MaintenanceSettings maintenance, boolean maintains,
		List<RecurringSchedule> schedules, ExceptionClassifier classifier, InstantSource clock, int outcomeBacklog,
		Duration slowFlush) {

	/** The id of a worker that was given none: pid@host plus a random suffix. */
	public static String defaultWorkerId() {
		return ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * The queues a worker works: those its handlers name, with {@code defaults} unless {@code configured} has
	 * their settings, and every queue {@code configured} names.
	 */
	public static Map<String, QueueSettings> queues(Map<String, HandlerSpec<?>> handlers,
			Map<String, QueueSettings> configured, QueueSettings defaults) {
		Map<String, QueueSettings> settings = new LinkedHashMap<>();
		for (HandlerSpec<?> spec : handlers.values()) {
			settings.put(spec.effectiveQueue(), configured.getOrDefault(spec.effectiveQueue(), defaults));
		}
		settings.putAll(configured);
		return Collections.unmodifiableMap(settings);
	}

}
