// Asio's and Beast's compiled parts, once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION, BOOST_BEAST_SEPARATE_COMPILATION): every
// other file includes only their declarations, which keeps each build of a
// file that uses the server or the client seconds, not a minute.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
