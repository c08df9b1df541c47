package io.sqlqueue.spring;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;

import org.springframework.util.ReflectionUtils;

import io.sqlqueue.JobContext;
import io.sqlqueue.JobHandlerFunction;

/**
 * Calls a {@link JobHandler} method with the payload and the {@link JobContext} in the positions
 * its signature declares; a returned value becomes the job's result.
 */
final class MethodJobHandler implements JobHandlerFunction<Object> {

	private final Object bean;

	private final Method method;

	private final int payloadIndex;

	private final int contextIndex;

	private MethodJobHandler(Object bean, Method method, int payloadIndex, int contextIndex) {
		this.bean = bean;
		this.method = method;
		this.payloadIndex = payloadIndex;
		this.contextIndex = contextIndex;
		ReflectionUtils.makeAccessible(method);
	}

	/**
	 * Checks {@code method}'s signature: at most one payload parameter and at most one
	 * {@link JobContext}.
	 * @throws IllegalArgumentException saying what is wrong with it
	 */
	static MethodJobHandler of(Object bean, Method method) {
		int payload = -1;
		int context = -1;
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			if (types[i] == JobContext.class) {
				if (context >= 0) {
					throw new IllegalArgumentException("it has two JobContext parameters");
				}
				context = i;
			}
			else {
				if (payload >= 0) {
					throw new IllegalArgumentException("it has two payload parameters (" + types[payload].getSimpleName()
							+ " and " + types[i].getSimpleName()
							+ "): a handler takes one payload and optionally a JobContext");
				}
				if (types[i].isPrimitive()) {
					throw new IllegalArgumentException("its payload parameter is the primitive " + types[i]
							+ ": use a class or record the JSON payload can be bound to");
				}
				if (types[i].isInterface() && JobContext.class.isAssignableFrom(types[i])) {
					throw new IllegalArgumentException("its parameter " + types[i].getName() + " is not JobContext");
				}
				payload = i;
			}
		}
		return new MethodJobHandler(bean, method, payload, context);
	}

	/** The type the JSON payload is bound to: the payload parameter's, or {@code Object} when there is none. */
	Type payloadType() {
		return (this.payloadIndex >= 0) ? this.method.getGenericParameterTypes()[this.payloadIndex] : Object.class;
	}

	@Override
	public void handle(Object payload, JobContext context) throws Exception {
		Object[] args = new Object[this.method.getParameterCount()];
		if (this.payloadIndex >= 0) {
			args[this.payloadIndex] = payload;
		}
		if (this.contextIndex >= 0) {
			args[this.contextIndex] = context;
		}
		Object result;
		try {
			result = this.method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
		if (result != null) {
			context.setResult(result);
		}
	}

}
