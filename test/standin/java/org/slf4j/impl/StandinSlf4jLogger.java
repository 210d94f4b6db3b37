package org.slf4j.impl;

import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MarkerIgnoringBase;
import org.slf4j.helpers.MessageFormatter;
import zkafka.standin.Log;

/** Forwards SLF4J calls to zkafka.standin.Log. */
final class StandinSlf4jLogger extends MarkerIgnoringBase {
    private static final long serialVersionUID = 1L;

    StandinSlf4jLogger(String name) {
        this.name = name;
    }

    private void emit(Log.Level level, String format, Object[] args) {
        if (!Log.enabled(level)) {
            return;
        }
        FormattingTuple ft = MessageFormatter.arrayFormat(format, args);
        Log.log(level, name, ft.getMessage(), ft.getThrowable());
    }

    @Override public boolean isTraceEnabled() { return Log.enabled(Log.Level.TRACE); }
    @Override public void trace(String msg) { emit(Log.Level.TRACE, msg, new Object[0]); }
    @Override public void trace(String format, Object arg) { emit(Log.Level.TRACE, format, new Object[] {arg}); }
    @Override public void trace(String format, Object a1, Object a2) { emit(Log.Level.TRACE, format, new Object[] {a1, a2}); }
    @Override public void trace(String format, Object... args) { emit(Log.Level.TRACE, format, args); }
    @Override public void trace(String msg, Throwable t) { if (Log.enabled(Log.Level.TRACE)) { Log.log(Log.Level.TRACE, name, msg, t); } }

    @Override public boolean isDebugEnabled() { return Log.enabled(Log.Level.DEBUG); }
    @Override public void debug(String msg) { emit(Log.Level.DEBUG, msg, new Object[0]); }
    @Override public void debug(String format, Object arg) { emit(Log.Level.DEBUG, format, new Object[] {arg}); }
    @Override public void debug(String format, Object a1, Object a2) { emit(Log.Level.DEBUG, format, new Object[] {a1, a2}); }
    @Override public void debug(String format, Object... args) { emit(Log.Level.DEBUG, format, args); }
    @Override public void debug(String msg, Throwable t) { if (Log.enabled(Log.Level.DEBUG)) { Log.log(Log.Level.DEBUG, name, msg, t); } }

    @Override public boolean isInfoEnabled() { return Log.enabled(Log.Level.INFO); }
    @Override public void info(String msg) { emit(Log.Level.INFO, msg, new Object[0]); }
    @Override public void info(String format, Object arg) { emit(Log.Level.INFO, format, new Object[] {arg}); }
    @Override public void info(String format, Object a1, Object a2) { emit(Log.Level.INFO, format, new Object[] {a1, a2}); }
    @Override public void info(String format, Object... args) { emit(Log.Level.INFO, format, args); }
    @Override public void info(String msg, Throwable t) { if (Log.enabled(Log.Level.INFO)) { Log.log(Log.Level.INFO, name, msg, t); } }

    @Override public boolean isWarnEnabled() { return Log.enabled(Log.Level.WARN); }
    @Override public void warn(String msg) { emit(Log.Level.WARN, msg, new Object[0]); }
    @Override public void warn(String format, Object arg) { emit(Log.Level.WARN, format, new Object[] {arg}); }
    @Override public void warn(String format, Object a1, Object a2) { emit(Log.Level.WARN, format, new Object[] {a1, a2}); }
    @Override public void warn(String format, Object... args) { emit(Log.Level.WARN, format, args); }
    @Override public void warn(String msg, Throwable t) { if (Log.enabled(Log.Level.WARN)) { Log.log(Log.Level.WARN, name, msg, t); } }

    @Override public boolean isErrorEnabled() { return Log.enabled(Log.Level.ERROR); }
    @Override public void error(String msg) { emit(Log.Level.ERROR, msg, new Object[0]); }
    @Override public void error(String format, Object arg) { emit(Log.Level.ERROR, format, new Object[] {arg}); }
    @Override public void error(String format, Object a1, Object a2) { emit(Log.Level.ERROR, format, new Object[] {a1, a2}); }
    @Override public void error(String format, Object... args) { emit(Log.Level.ERROR, format, args); }
    @Override public void error(String msg, Throwable t) { if (Log.enabled(Log.Level.ERROR)) { Log.log(Log.Level.ERROR, name, msg, t); } }

}
