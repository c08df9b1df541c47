package io.sqlqueue.spring;

import io.sqlqueue.worker.JobWorker;

/**
 * Customizes the {@link JobWorker} that runs the {@link JobHandler} methods, beyond what
 * {@code sqlqueue.*} properties say, such as handlers registered as functions or a worker id.
 * Customizers run in {@code @Order}, after the properties and the annotated handlers are applied.
 */
@FunctionalInterface
public interface JobWorkerCustomizer {

	void customize(JobWorker.Builder builder);

}
