package org.slf4j.impl;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.spi.LoggerFactoryBinder;

import java.util.concurrent.ConcurrentHashMap;

/** SLF4J 1.7 binding that routes the ZooKeeper client's logging into the stand-in's logger. */
public final class StaticLoggerBinder implements LoggerFactoryBinder {
    private static final StaticLoggerBinder SINGLETON = new StaticLoggerBinder();
    // Part of the SLF4J 1.7 binding contract.
    public static String REQUESTED_API_VERSION = "1.7.30";

    private final ILoggerFactory factory = new Factory();

    public static StaticLoggerBinder getSingleton() {
        return SINGLETON;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public String getLoggerFactoryClassStr() {
        return Factory.class.getName();
    }

    static final class Factory implements ILoggerFactory {
        private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();

        @Override
        public Logger getLogger(String name) {
            return loggers.computeIfAbsent(name, StandinSlf4jLogger::new);
        }
    }
}
