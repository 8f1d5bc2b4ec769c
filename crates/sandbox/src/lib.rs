//! Local emulator of the three vendor APIs (work in progress).
