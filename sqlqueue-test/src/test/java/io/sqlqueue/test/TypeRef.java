package io.sqlqueue.test;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/** Captures a generic type in tests: {@code new TypeRef<List<Long>>() { }.type()}. */
abstract class TypeRef<T> {

	Type type() {
		return ((ParameterizedType) getClass().getGenericSuperclass()).getActualTypeArguments()[0];
	}

}
