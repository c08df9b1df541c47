package io.sqlqueue;

import org.slf4j.MDC;

/**
 * Puts the running job's id, type, queue and attempt in the SLF4J MDC ({@code sqlqueue.job.id},
 * {@code sqlqueue.job.type}, {@code sqlqueue.job.queue}, {@code sqlqueue.job.attempt}) so that
 * every log line a handler writes names its job. The starter registers it first.
 */
public class MdcJobInterceptor implements JobInterceptor {

	@Override
	public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
		try (MDC.MDCCloseable id = MDC.putCloseable("sqlqueue.job.id", Long.toString(job.id()));
				MDC.MDCCloseable type = MDC.putCloseable("sqlqueue.job.type", job.type());
				MDC.MDCCloseable queue = MDC.putCloseable("sqlqueue.job.queue", job.queue());
				MDC.MDCCloseable attempt = MDC.putCloseable("sqlqueue.job.attempt", Integer.toString(job.attempt()))) {
			chain.proceed();
		}
	}

}
