package io.sqlqueue.spring;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * The resources sqlqueue reads at run time that a native image must include: the migrations of every database
 * it supports. Registered in {@code META-INF/spring/aot.factories}.
 */
public final class SqlQueueRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern("db/sqlqueue/*/*.sql");
	}

}
