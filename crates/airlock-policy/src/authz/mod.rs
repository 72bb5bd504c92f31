//! Authorization with Cedar policies (default-deny).
