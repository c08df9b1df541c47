package io.sqlqueue;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Wraps enqueue and processing, like a servlet filter: logging context, tracing, tenancy,
 * metrics. Interceptors run in registration order (in Spring, bean {@code @Order}), the first
 * outermost.
 *
 * <pre>{@code
 * class TenantInterceptor implements JobInterceptor {
 *     public List<Long> aroundEnqueue(List<JobRequest> jobs, EnqueueChain chain) {
 *         return chain.proceed(jobs.stream()
 *                 .map(j -> JobRequest.of(j.type(), j.payload(), j.options().withMetadata("tenant", Tenant.current())))
 *                 .toList());
 *     }
 *     public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
 *         Tenant.set(job.metadata().get("tenant"));
 *         try { chain.proceed(); } finally { Tenant.clear(); }
 *     }
 * }
 * }</pre>
 */
public interface JobInterceptor {

	/**
	 * Around one {@code enqueue} or {@code enqueueAll} call; may change the requests (for example
	 * add metadata) before passing them on.
	 */
	default List<Long> aroundEnqueue(List<JobRequest> jobs, EnqueueChain chain) {
		return chain.proceed(jobs);
	}

	/** Around one run of a handler; an exception thrown here counts as the handler's. */
	default void aroundProcess(JobContext job, @Nullable Object payload, ProcessChain chain) throws Exception {
		chain.proceed();
	}

	/** The rest of the enqueue chain. */
	@FunctionalInterface
	interface EnqueueChain {

		List<Long> proceed(List<JobRequest> jobs);

	}

	/** The rest of the processing chain, ending in the handler. */
	@FunctionalInterface
	interface ProcessChain {

		void proceed() throws Exception;

	}

}
