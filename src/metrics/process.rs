//! The process's own memory, as Linux reports it in `/proc/self/status`. Elsewhere there is no
//! such file and the figures are simply left out of the scrape.

/// The process's memory at one moment, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessMemory {
    /// Resident set size: memory in RAM now (heap, mapped search-index and database pages).
    pub resident: u64,
    /// The highest resident set size since the process started.
    pub resident_peak: u64,
    /// Virtual memory size.
    pub virtual_size: u64,
}

impl ProcessMemory {
    /// Reads this process's figures; `None` where `/proc` is not available.
    pub fn read() -> Option<Self> {
        // `status` gives kilobytes directly, where `statm` counts pages of a size only libc
        // could tell us (unsafe code is forbidden here).
        let text = std::fs::read_to_string("/proc/self/status").ok()?;
        Self::parse(&text)
    }

    /// The figures in the text of a `/proc/<pid>/status` file.
    pub fn parse(status: &str) -> Option<Self> {
        let field = |name: &str| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(name)?.strip_prefix(':')?;
                let kilobytes: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
                kilobytes.checked_mul(1024)
            })
        };
        Some(Self { resident: field("VmRSS")?, resident_peak: field("VmHWM")?, virtual_size: field("VmSize")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernels_figures() {
        let status = "Name:\tguidepost\nVmPeak:\t  900 kB\nVmSize:\t  800 kB\nVmHWM:\t   60 kB\nVmRSS:\t   50 kB\n";
        let memory = ProcessMemory::parse(status);
        assert_eq!(
            memory,
            Some(ProcessMemory { resident: 50 * 1024, resident_peak: 60 * 1024, virtual_size: 800 * 1024 })
        );
        assert_eq!(ProcessMemory::parse("Name:\tkernel thread\n"), None);
    }

    #[test]
    fn this_process_has_memory() {
        if cfg!(target_os = "linux") {
            let memory = ProcessMemory::read();
            assert!(memory.is_some_and(|m| m.resident > 0 && m.resident <= m.resident_peak));
        }
    }
}
