//! Compressed logs read as they are: gzip (several members, as logrotate's `compress` and
//! `cat a.gz b.gz` make) and zstd (several frames), recognised by their first bytes, not by
//! their names, from files and from standard input. Decompression is streamed: memory stays
//! what the plain reader uses.

use std::io::{self, BufRead, BufReader, Read};

/// What a log's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Gzip,
    Zstd,
}

impl Format {
    /// The format of a log starting with `head` (at least 4 bytes for an answer other than
    /// plain).
    pub fn of(head: &[u8]) -> Format {
        if head.starts_with(&[0x1f, 0x8b]) {
            Format::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Format::Zstd
        } else {
            Format::Plain
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Plain => "plain",
            Format::Gzip => "gzip",
            Format::Zstd => "zstd",
        }
    }
}

/// The format of the file at `path` (its first bytes).
pub fn format_of_file(path: &std::path::Path) -> io::Result<Format> {
    let mut head = [0u8; 4];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(Format::of(&head[..n]))
}

/// `reader`, decompressed when its first bytes say so.
pub fn open<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<Box<dyn BufRead + Send>> {
    let format = {
        // Enough of the start to tell (a pipe may give it in pieces).
        let head = reader.fill_buf()?;
        Format::of(head)
    };
    Ok(match format {
        Format::Plain => Box::new(reader),
        Format::Gzip => Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(reader),
        )),
        Format::Zstd => Box::new(BufReader::with_capacity(
            1 << 20,
            zstd::stream::read::Decoder::with_buffer(reader)?,
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_members_and_zstd_frames_read_back_whole() {
        let text = b"{\"level\":30,\"msg\":\"a\"}\n{\"level\":50,\"msg\":\"b\"}\n";
        let mut gz = Vec::new();
        for half in [&text[..24], &text[24..]] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(half).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let mut zs = zstd::encode_all(&text[..24], 1).unwrap();
        zs.extend(zstd::encode_all(&text[24..], 1).unwrap());
        for (bytes, f) in [(gz, Format::Gzip), (zs, Format::Zstd), (text.to_vec(), Format::Plain)] {
            assert_eq!(Format::of(&bytes), f);
            let mut out = Vec::new();
            open(io::Cursor::new(bytes)).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out, text, "{f:?}");
        }
    }
}
