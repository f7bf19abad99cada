package dev.promptcanary.bench.decision;

import java.util.Arrays;

/**
 * A binary min-heap of timed events of the clustered simulation, in parallel arrays (no object per
 * event): a session's next request ({@code value} NaN) or a judge score arriving late.
 */
final class EventHeap {
  private double[] times = new double[256];
  private SessionRollout.Unit[] units = new SessionRollout.Unit[256];
  private double[] values = new double[256];
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  double peekTime() {
    return size == 0 ? Double.POSITIVE_INFINITY : times[0];
  }

  SessionRollout.Unit peekUnit() {
    return units[0];
  }

  double peekValue() {
    return values[0];
  }

  void push(double time, SessionRollout.Unit unit, double value) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      units = Arrays.copyOf(units, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (times[parent] <= time) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    set(i, time, unit, value);
  }

  /** Removes the earliest event (read it first with the peek methods). */
  void pop() {
    int last = --size;
    double time = times[last];
    SessionRollout.Unit unit = units[last];
    double value = values[last];
    units[last] = null;
    if (last == 0) {
      return;
    }
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= last) {
        break;
      }
      if (child + 1 < last && times[child + 1] < times[child]) {
        child++;
      }
      if (times[child] >= time) {
        break;
      }
      move(child, i);
      i = child;
    }
    set(i, time, unit, value);
  }

  private void move(int from, int to) {
    set(to, times[from], units[from], values[from]);
  }

  private void set(int i, double time, SessionRollout.Unit unit, double value) {
    times[i] = time;
    units[i] = unit;
    values[i] = value;
  }
}
